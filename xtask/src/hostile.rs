//! The hostile corpus through the release `tekser` binary: every case of
//! `tests/hostile/manifest.json` must end within 20 s and 256 MiB of peak RSS, with exit 1
//! (a report that rejects) or 2 (input refused), and give its expected report or error.
//! Generated inputs are written to `target/hostile/` first (the time is the CLI's alone).

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::{root, run};

/// The most a case may take.
const TIME_LIMIT: Duration = Duration::from_secs(20);
/// The most peak RSS a case may use, in KiB.
const RSS_LIMIT_KIB: i64 = 256 * 1024;

/// Runs every case through the CLI; prints each one's time and peak RSS.
pub(crate) fn cli() -> Result<(), String> {
    run("cargo", &["build", "-q", "--release", "-p", "tekser-cli"])?;
    let exe = root().join("target/release/tekser");
    let dir = root().join("tests/hostile");
    let text =
        std::fs::read_to_string(dir.join("manifest.json")).map_err(|e| format!("tests/hostile/manifest.json: {e}"))?;
    let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("hostile manifest: {e}"))?;
    let cases = manifest["cases"].as_array().ok_or("hostile manifest has no cases")?;
    let scratch = root().join("target/hostile");
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    let mut failures = Vec::new();
    let (mut slowest, mut largest) = (("", 0.0), ("", 0));
    for case in cases {
        let name = case["name"].as_str().ok_or("a case without a name")?;
        let input = input_file(case, &dir, &scratch)?;
        let mut args: Vec<String> = vec!["check".into(), "--format".into(), "json".into()];
        let options = &case["options"];
        args.push("--lang".into());
        args.push(options["lang"].as_str().unwrap_or("all").into());
        for (key, flag) in [
            ("entity", "--entity"),
            ("max_findings", "--max-findings"),
            ("max_records", "--max-records"),
            ("max_input_bytes", "--max-input-bytes"),
            ("max_record_bytes", "--max-record-bytes"),
        ] {
            match &options[key] {
                serde_json::Value::Null => {}
                serde_json::Value::String(s) => args.extend([flag.to_owned(), s.clone()]),
                other => args.extend([flag.to_owned(), other.to_string()]),
            }
        }
        args.push(input.to_string_lossy().into_owned());
        let (code, stdout, stderr, seconds, rss_kib) = measured(&exe, &args)?;
        eprintln!(
            "xtask: hostile {name:<28} exit {code}  {seconds:6.2} s  {:7.1} MiB",
            rss_kib as f64 / 1024.0
        );
        if seconds > slowest.1 {
            slowest = (name, seconds);
        }
        if rss_kib > largest.1 {
            largest = (name, rss_kib);
        }
        let place = format!("host cli: hostile case {name}");
        if seconds > TIME_LIMIT.as_secs_f64() {
            failures.push(format!(
                "{place}: took {seconds:.1} s (limit {} s)",
                TIME_LIMIT.as_secs()
            ));
        }
        if rss_kib > RSS_LIMIT_KIB {
            failures.push(format!("{place}: peak RSS {} MiB (limit 256 MiB)", rss_kib / 1024));
        }
        if let Some(kind) = case["error"].as_str() {
            if code != 2 || !stderr.contains(&format!("({kind})")) {
                failures.push(format!(
                    "{place}: expected exit 2 with error {kind}, got exit {code}: {}",
                    stderr.trim()
                ));
            }
        } else {
            let report = case["report"].as_str().ok_or("a case without a report or error")?;
            let want = std::fs::read_to_string(dir.join(report)).map_err(|e| format!("{report}: {e}"))?;
            if code != 1 || stdout != want {
                failures.push(format!(
                    "{place}: expected exit 1 with {report}, got exit {code} and {} ({})",
                    if stdout == want {
                        "that report"
                    } else {
                        "another report"
                    },
                    stderr.trim()
                ));
            }
        }
    }
    eprintln!(
        "xtask: hostile corpus through the CLI: {} cases, slowest {} ({:.2} s), largest {} ({:.1} MiB)",
        cases.len(),
        slowest.0,
        slowest.1,
        largest.0,
        largest.1 as f64 / 1024.0
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The case's input as a file: its own, or its parts written out.
fn input_file(case: &serde_json::Value, dir: &Path, scratch: &Path) -> Result<PathBuf, String> {
    if let Some(file) = case["file"].as_str() {
        return Ok(dir.join(file));
    }
    let name = case["name"].as_str().unwrap_or("case");
    let path = scratch.join(name);
    let file = std::fs::File::create(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    for part in case["parts"].as_array().ok_or("a case without a file or parts")? {
        let (text, times) = match part {
            serde_json::Value::String(s) => (s.as_str(), 1),
            other => (
                other["repeat"].as_str().ok_or("a part without repeat")?,
                other["times"].as_u64().ok_or("a part without times")?,
            ),
        };
        for _ in 0..times {
            out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(path)
}

/// Runs the CLI, killing it past the time limit (and a margin): exit code, stdout, stderr,
/// wall seconds and the child's peak RSS in KiB (from `wait4`).
fn measured(exe: &Path, args: &[String]) -> Result<(i32, String, String, f64, i64), String> {
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(args)
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
    let pid = child.id() as libc::pid_t;
    // The pipes are drained on threads, so that a large report cannot block the child.
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut s);
        s
    });
    // Past twice the limit the child is killed (a hang must not hang the suite); the flag
    // stops the watchdog once the child is reaped, so it never signals a reused pid.
    let reaped = Arc::new(AtomicBool::new(false));
    let watchdog = {
        let reaped = Arc::clone(&reaped);
        let deadline = TIME_LIMIT * 2;
        std::thread::spawn(move || {
            let step = Duration::from_millis(50);
            let mut waited = Duration::ZERO;
            while waited < deadline {
                std::thread::sleep(step);
                waited += step;
                if reaped.load(Ordering::SeqCst) {
                    return;
                }
            }
            if !reaped.load(Ordering::SeqCst) {
                // SAFETY: the child is ours and not yet reaped (wait4 below reaps it).
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        })
    };
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: pid is our child; status and usage point to live locals.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let seconds = started.elapsed().as_secs_f64();
    reaped.store(true, Ordering::SeqCst);
    if waited != pid {
        return Err(format!("wait4 failed for {}", exe.display()));
    }
    let _ = watchdog.join();
    let exit = std::process::ExitStatus::from_raw(status);
    let code = exit.code().unwrap_or_else(|| -exit.signal().unwrap_or(0));
    let stdout = String::from_utf8_lossy(&out.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err.join().unwrap_or_default()).into_owned();
    Ok((code, stdout, stderr, seconds, usage.ru_maxrss))
}
