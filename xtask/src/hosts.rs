//! The Python and Node packages: build them the way a user would and run their suites.
//!
//! Python: `pip install ./bindings/python` (maturin from PyPI builds the wheel) into the
//! machine's `python3`, then pytest. Node: `npm run build` in bindings/node (cargo), then
//! `node --test`.

use crate::{output, root, run, run_with_env};

/// Installs the Python package (and pytest) into `python3`, then runs its suite.
pub fn python() -> Result<(), String> {
    let quiet = [
        ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
        ("PIP_ROOT_USER_ACTION", "ignore"),
    ];
    run_with_env(
        "python3",
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "pytest>=8",
            "hypothesis>=6.100",
            // validate_arrow's inputs in the tests: pyarrow tables, pandas and Polars frames.
            "pyarrow>=14",
            "pandas>=2.2",
            "polars>=1.0",
            // tekser.spark's tests run Spark in local mode (pyspark bundles Spark's jars).
            "pyspark==4.0.1",
            "./bindings/python",
        ],
        &quiet,
    )?;
    // Spark needs Java 17; Debian's JRE if the machine has none (the tests fail, not skip,
    // without it).
    crate::wasm::apt_install(&[("openjdk-17-jre-headless", "java")])?;
    let (code, version) = output("java", &["-version"]).map_err(|e| format!("host python/spark: no java: {e}"))?;
    if code != 0 {
        return Err(format!("host python/spark: `java -version` failed: {version}"));
    }
    run("python3", &["-m", "pytest", "-q", "bindings/python/tests"])?;
    // The acceptance one-liner, exactly.
    let (code, out) = output(
        "python3",
        &[
            "-c",
            "import tekser; print(tekser.validate(open('examples/plan_item.json','rb').read()).accepted)",
        ],
    )?;
    if code != 0 || out.trim() != "True" {
        return Err(format!("python one-liner printed {out:?} (exit {code})"));
    }
    eprintln!("xtask: python one-liner: True");
    Ok(())
}

/// Builds the Node addon with its own build script and runs its node:test suite.
pub fn node() -> Result<(), String> {
    let dir = root().join("bindings/node");
    let dir = dir.to_string_lossy();
    run("npm", &["run", "--prefix", &dir, "build"])?;
    run("npm", &["test", "--prefix", &dir])?;
    // index.d.ts describes the API: a strict TypeScript program using it compiles.
    crate::wasm::typecheck(
        "bindings/node/test/typings-check.ts",
        &[
            "--module",
            "commonjs",
            "--moduleResolution",
            "node10",
            "--esModuleInterop",
            "--typeRoots",
            "tests/browser/node_modules/@types",
            "--types",
            "node",
        ],
    )?;
    let (code, out) = output(
        "node",
        &[
            "-e",
            "const t = require('./bindings/node'); console.log(t.validate(require('fs').readFileSync('examples/plan_item.json')).accepted)",
        ],
    )?;
    if code != 0 || out.trim() != "true" {
        return Err(format!("node one-liner printed {out:?} (exit {code})"));
    }
    eprintln!("xtask: node one-liner: true");
    Ok(())
}
