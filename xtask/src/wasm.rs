//! The WebAssembly package, the demo page and their tests.
//!
//! Nothing is downloaded from outside the package registries: `wasm-bindgen-cli` comes
//! from crates.io at exactly the version the `wasm-bindgen` crate is pinned to, Chromium
//! and binaryen from Debian's packages, `playwright-core` from the npm registry.

use std::path::{Path, PathBuf};

use crate::{output, root, run, run_with_env};

/// Where the package is written.
pub fn package_dir() -> PathBuf {
    root().join("target/wasm-pkg")
}

/// The exact `wasm-bindgen` version pinned in the workspace (`wasm-bindgen = "=X"`).
fn pinned_wasm_bindgen() -> Result<String, String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| format!("Cargo.toml: {e}"))?;
    manifest
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm-bindgen = \"="))
        .and_then(|rest| rest.strip_suffix('"'))
        .map(str::to_owned)
        .ok_or_else(|| "Cargo.toml does not pin wasm-bindgen with `wasm-bindgen = \"=X\"`".to_owned())
}

/// `~/.cargo/bin/<name>` (where `cargo install` puts it), or the bare name on PATH.
fn cargo_bin(name: &str) -> String {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    match home.map(|h| h.join("bin").join(name)) {
        Some(p) if p.exists() => p.to_string_lossy().into_owned(),
        _ => name.to_owned(),
    }
}

/// Installs `wasm-bindgen-cli` at the pinned version unless it is already there.
fn install_wasm_bindgen() -> Result<String, String> {
    let version = pinned_wasm_bindgen()?;
    let exe = cargo_bin("wasm-bindgen");
    let installed = output(&exe, &["--version"]).map(|(_, v)| v).unwrap_or_default();
    if installed.trim() == format!("wasm-bindgen {version}") {
        eprintln!("xtask: wasm-bindgen-cli {version} already installed");
    } else {
        run(
            "cargo",
            &["install", "wasm-bindgen-cli", "--version", &version, "--locked"],
        )?;
    }
    Ok(cargo_bin("wasm-bindgen"))
}

fn is_root() -> bool {
    output("id", &["-u"]).is_ok_and(|(_, uid)| uid.trim() == "0")
}

/// Installs Debian packages that are missing (`which` names the command they provide).
pub fn apt_install(packages: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> = packages
        .iter()
        .filter(|(_, command)| output("which", &[command]).map(|(code, _)| code != 0).unwrap_or(true))
        .map(|(package, _)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "Debian packages {missing:?} are missing; install them with `apt-get install {}` as root",
            missing.join(" ")
        ));
    }
    run("apt-get", &["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq", "--no-install-recommends"];
    args.extend(missing.iter().copied());
    run_with_env("apt-get", &args, &[("DEBIAN_FRONTEND", "noninteractive")])
}

/// Builds the package: release wasm, wasm-bindgen for the web (ES module, bundlers) and
/// for Node, wasm-opt when binaryen is there; copies the web build into the demo.
pub fn build() -> Result<(), String> {
    crate::setup()?;
    let wasm_bindgen = install_wasm_bindgen()?;
    run(
        "cargo",
        &[
            "build",
            "-q",
            "-p",
            "tekser-wasm",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ],
    )?;
    let wasm = root().join("target/wasm32-unknown-unknown/wasm-release/tekser_wasm.wasm");
    let wasm = wasm.to_string_lossy();
    let pkg = package_dir();
    let _ = std::fs::remove_dir_all(&pkg);
    for (target, dir) in [("web", "web"), ("nodejs", "node")] {
        let out = pkg.join(dir);
        run(
            &wasm_bindgen,
            &["--target", target, "--out-dir", &out.to_string_lossy(), &wasm],
        )?;
        optimise(&out, target)?;
    }
    write(&pkg.join("web/package.json"), "{\n  \"type\": \"module\"\n}\n")?;
    write(&pkg.join("node/package.json"), "{\n  \"type\": \"commonjs\"\n}\n")?;
    write(&pkg.join("package.json"), &package_json()?)?;
    std::fs::copy(root().join("bindings/wasm/README.md"), pkg.join("README.md"))
        .map_err(|e| format!("bindings/wasm/README.md: {e}"))?;
    // The demo page serves its own copy (web-demo/pkg is not committed).
    let demo = root().join("web-demo/pkg");
    let _ = std::fs::remove_dir_all(&demo);
    std::fs::create_dir_all(&demo).map_err(|e| e.to_string())?;
    for file in ["tekser_wasm.js", "tekser_wasm_bg.wasm"] {
        std::fs::copy(pkg.join("web").join(file), demo.join(file)).map_err(|e| format!("{file}: {e}"))?;
    }
    let size = std::fs::metadata(pkg.join("web/tekser_wasm_bg.wasm"))
        .map_err(|e| e.to_string())?
        .len();
    eprintln!(
        "xtask: wasm package in {} ({} bytes of wasm); demo copy in web-demo/pkg",
        pkg.display(),
        size
    );
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs wasm-opt when binaryen is installed, and keeps its output only if the module still
/// loads: Debian 12's binaryen 108 rewrites wasm-bindgen's externref table so that it can
/// no longer grow, so there the unoptimised module is kept.
fn optimise(dir: &Path, target: &str) -> Result<(), String> {
    if output("which", &["wasm-opt"])
        .map(|(code, _)| code != 0)
        .unwrap_or(true)
    {
        eprintln!("xtask: wasm-opt not installed (Debian package binaryen); the module is not optimised");
        return Ok(());
    }
    let wasm = dir.join("tekser_wasm_bg.wasm");
    let original = std::fs::read(&wasm).map_err(|e| e.to_string())?;
    let path = wasm.to_string_lossy();
    // Exactly the features rustc's wasm32 target emits; -Oz: smallest code.
    run(
        "wasm-opt",
        &[
            "--enable-bulk-memory",
            "--enable-mutable-globals",
            "--enable-nontrapping-float-to-int",
            "--enable-sign-ext",
            "--enable-reference-types",
            "--enable-multivalue",
            "-Oz",
            "--strip-debug",
            &path,
            "-o",
            &path,
        ],
    )?;
    let glue = dir.join("tekser_wasm.js");
    let smoke = match target {
        "nodejs" => format!(
            "const t = require({:?}); t.validateJson('[]', {{entity: 'lot'}});",
            glue.to_string_lossy()
        ),
        _ => format!(
            "import({:?}).then(m => {{ m.initSync({{module: require('fs').readFileSync({:?})}}); m.validateJson('[]', {{entity: 'lot'}}); }}).catch(e => {{ console.error(e.message); process.exit(1); }});",
            glue.to_string_lossy(),
            path
        ),
    };
    let works = output("node", &["-e", &smoke]).is_ok_and(|(code, _)| code == 0);
    if !works {
        let (_, version) = output("wasm-opt", &["--version"]).unwrap_or_default();
        eprintln!(
            "xtask: note: the module optimised by {} does not load; keeping the unoptimised one",
            version.trim()
        );
        std::fs::write(&wasm, original).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn package_json() -> Result<String, String> {
    let version = env!("CARGO_PKG_VERSION");
    Ok(format!(
        r#"{{
  "name": "tekser-wasm",
  "version": "{version}",
  "description": "Validate Kazakhstan public-procurement data packets (ЕОЗ 2019) in the browser and in Node: the same report bytes as every tekser host.",
  "license": "Apache-2.0",
  "main": "./node/tekser_wasm.js",
  "module": "./web/tekser_wasm.js",
  "types": "./web/tekser_wasm.d.ts",
  "exports": {{
    ".": {{
      "node": {{
        "types": "./node/tekser_wasm.d.ts",
        "default": "./node/tekser_wasm.js"
      }},
      "default": {{
        "types": "./web/tekser_wasm.d.ts",
        "default": "./web/tekser_wasm.js"
      }}
    }},
    "./web": "./web/tekser_wasm.js",
    "./node": "./node/tekser_wasm.js"
  }},
  "files": ["web/", "node/", "README.md"],
  "sideEffects": false
}}
"#
    ))
}

/// The generated typings, committed so that API changes show in review; the test
/// command checks they are fresh.
pub fn check_typings() -> Result<(), String> {
    let mut stale = Vec::new();
    for dir in ["web", "node"] {
        let generated = std::fs::read_to_string(package_dir().join(dir).join("tekser_wasm.d.ts"))
            .map_err(|e| format!("generated typings: {e} (run `cargo xtask build-wasm`)"))?;
        let committed_path = root().join(format!("bindings/wasm/types/{dir}.d.ts"));
        let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
        if generated != committed {
            stale.push(committed_path.display().to_string());
        }
    }
    if stale.is_empty() {
        eprintln!("xtask: committed TypeScript typings are fresh");
        // …and describe the real API: a strict TypeScript program using it compiles.
        typecheck(
            "tests/wasm/typings-check.ts",
            &[
                "--module",
                "es2022",
                "--moduleResolution",
                "bundler",
                "--lib",
                "es2022,esnext.disposable,dom",
            ],
        )
    } else {
        Err(format!(
            "stale TypeScript typings {stale:?}: run `cargo xtask typings` and commit them"
        ))
    }
}

/// Compiles `file` with `tsc --noEmit --strict` (typescript from tests/browser's npm
/// packages) and the module options `module`: the typings it uses describe the real API.
pub(crate) fn typecheck(file: &str, module: &[&str]) -> Result<(), String> {
    npm_setup()?;
    let mut args = vec!["--noEmit", "--strict", "--target", "es2022"];
    args.extend_from_slice(module);
    args.push(file);
    run("tests/browser/node_modules/.bin/tsc", &args)
}

/// Copies the generated typings over the committed ones.
pub fn write_typings() -> Result<(), String> {
    build()?;
    let dir = root().join("bindings/wasm/types");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for target in ["web", "node"] {
        std::fs::copy(
            package_dir().join(target).join("tekser_wasm.d.ts"),
            dir.join(format!("{target}.d.ts")),
        )
        .map_err(|e| e.to_string())?;
    }
    eprintln!("xtask: wrote bindings/wasm/types/{{web,node}}.d.ts");
    Ok(())
}

/// The corpus through the wasm package in Node: every report, digest, reply, dataset.
pub fn node_corpus() -> Result<(), String> {
    run("node", &["tests/wasm/node-corpus.mjs"])
}

/// The core's unit tests compiled to wasm32 and run by wasm-bindgen-test-runner in Node.
pub fn core_tests_in_wasm() -> Result<(), String> {
    let runner = cargo_bin("wasm-bindgen-test-runner");
    run_with_env(
        "cargo",
        &["test", "-p", "tekser", "--lib", "--target", "wasm32-unknown-unknown"],
        &[("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner.as_str())],
    )
}

/// The npm packages of the browser test and the typings check (playwright-core,
/// typescript), from the npm registry, when the lock file changed.
pub(crate) fn npm_setup() -> Result<(), String> {
    let dir = root().join("tests/browser");
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => matches!((l.modified(), i.modified()), (Ok(l), Ok(i)) if i >= l),
        _ => false,
    };
    if fresh {
        eprintln!("xtask: tests/browser npm packages already installed");
        return Ok(());
    }
    run("npm", &["ci", "--prefix", "tests/browser", "--no-audit", "--no-fund"])
}

/// The demo page in headless Chromium (Debian's, installed with apt-get if missing).
pub fn browser_test() -> Result<(), String> {
    apt_install(&[("chromium", "chromium")])?;
    npm_setup()?;
    run("node", &["tests/browser/page.test.mjs"])
}

/// Serves `web-demo/` on localhost (builds the package first).
pub fn serve_demo(port: &str) -> Result<(), String> {
    build()?;
    run("node", &["web-demo/serve.mjs", port])
}
