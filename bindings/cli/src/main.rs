//! `tekser`: validate procurement data packets from the shell.
//!
//! Exit status of `check`: 0 every packet accepted, 1 some packet rejected, 2 some input
//! unusable (unreadable, unknown entity, …) or a usage error.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tekser::{Catalog, Entity, Finding, Lang, Options, Report, Severity};

#[derive(Parser)]
#[command(
    name = "tekser",
    version,
    about = "Validate Kazakhstan public-procurement data packets (ЕОЗ 2019 regulation)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate packets (JSON or XML, optionally in a SOAP envelope); `-` reads stdin.
    Check {
        /// Packet files; `-` for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Entity of the records (needed for a bare list of records; checked against a packet's header).
        #[arg(long, value_parser = parse_entity)]
        entity: Option<Entity>,
        /// Language of messages.
        #[arg(long, value_enum, default_value_t = LangChoice::Ru)]
        lang: LangChoice,
        /// Output format: readable text, or the canonical JSON report (one document per file).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Rule set to apply (default: the current one).
        #[arg(long)]
        rule_set: Option<String>,
    },
    /// List the rule catalog.
    Rules {
        /// Language of messages.
        #[arg(long, value_enum, default_value_t = LangChoice::En)]
        lang: LangChoice,
    },
    /// Explain one finding code: what it checks, the clause, its messages.
    Explain {
        /// A finding code, e.g. bin.checksum.
        code: String,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangChoice {
    Ru,
    Kk,
    En,
    /// All three languages.
    All,
}

impl LangChoice {
    fn lang(self) -> Option<Lang> {
        match self {
            LangChoice::Ru => Some(Lang::Ru),
            LangChoice::Kk => Some(Lang::Kk),
            LangChoice::En => Some(Lang::En),
            LangChoice::All => None,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_entity(name: &str) -> Result<Entity, String> {
    name.parse::<Entity>().map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            files,
            entity,
            lang,
            format,
            rule_set,
        } => check(&files, entity, lang, format, rule_set),
        Command::Rules { lang } => rules(lang),
        Command::Explain { code } => explain(&code),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tekser: {e}");
            ExitCode::from(2)
        }
    }
}

fn read_input(path: &PathBuf) -> io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

fn check(
    files: &[PathBuf],
    entity: Option<Entity>,
    lang: LangChoice,
    format: Format,
    rule_set: Option<String>,
) -> io::Result<ExitCode> {
    let options = Options {
        entity,
        lang: lang.lang(),
        rule_set,
        ..Options::default()
    };
    let mut worst = 0u8;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for path in files {
        let name = if path.as_os_str() == "-" {
            "<stdin>".to_owned()
        } else {
            path.display().to_string()
        };
        let bytes = match read_input(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("tekser: {name}: cannot read: {e}");
                worst = 2;
                continue;
            }
        };
        match tekser::validate(&bytes, &options) {
            Ok(report) => {
                if !report.accepted() {
                    worst = worst.max(1);
                }
                match format {
                    Format::Json => out.write_all(report.to_json().as_bytes())?,
                    Format::Text => write_text(&mut out, &name, &report)?,
                }
            }
            Err(e) => {
                eprintln!("tekser: {name}: unusable input ({}): {e}", e.kind());
                worst = 2;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::from(worst))
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn write_text(out: &mut impl Write, name: &str, report: &Report) -> io::Result<()> {
    let catalog = Catalog::get().map_err(io::Error::other)?;
    writeln!(
        out,
        "{name}: {} — {}, {}, {}, {} (rule set {}, packet {})",
        report.status.as_str(),
        report.entity,
        plural(report.record_count, "record", "records"),
        plural(report.count(Severity::Error), "error", "errors"),
        plural(report.count(Severity::Warning), "warning", "warnings"),
        report.rule_set,
        report.packet_id.as_deref().unwrap_or("-"),
    )?;
    for finding in &report.findings {
        write_finding(out, catalog, report.lang, finding)?;
    }
    Ok(())
}

fn write_finding(out: &mut impl Write, catalog: &Catalog, lang: Option<Lang>, finding: &Finding) -> io::Result<()> {
    let record = finding
        .record
        .map(|r| format!("record {r}"))
        .unwrap_or_else(|| "header".to_owned());
    writeln!(
        out,
        "  {:<7} {:<36} {:<10} {}",
        finding.severity.as_str(),
        finding.code,
        record,
        finding.path
    )?;
    match lang {
        Some(lang) => writeln!(out, "          {}", finding.message(catalog, lang))?,
        None => {
            for lang in Lang::ALL {
                writeln!(out, "          [{}] {}", lang.as_str(), finding.message(catalog, lang))?;
            }
        }
    }
    Ok(())
}

fn rules(lang: LangChoice) -> io::Result<ExitCode> {
    let catalog = Catalog::get().map_err(io::Error::other)?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "Rule set {} — {} rules (S = also expressed by the JSON Schemas in schemas/)",
        catalog.rule_set,
        catalog.rules.len()
    )?;
    for rule in &catalog.rules {
        let marker = if rule.structural { "S" } else { " " };
        let text = match lang.lang() {
            Some(Lang::En) | None => rule.title.clone(),
            Some(l) => rule.template(l).to_owned(),
        };
        writeln!(out, "{:<37} {:<7} {marker} {text}", rule.code, rule.severity.as_str())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn explain(code: &str) -> io::Result<ExitCode> {
    let catalog = Catalog::get().map_err(io::Error::other)?;
    let Some(rule) = catalog.rule(code) else {
        eprintln!("tekser: unknown finding code {code:?}; `tekser rules` lists them");
        return Ok(ExitCode::from(2));
    };
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "{}  ({}, {})",
        rule.code,
        rule.severity.as_str(),
        if rule.structural {
            "structural: the JSON Schemas express it too"
        } else {
            "beyond JSON Schema"
        }
    )?;
    writeln!(out, "  {}", rule.title)?;
    writeln!(out, "  clause: {}", rule.clause)?;
    for lang in Lang::ALL {
        writeln!(out, "  message [{}]: {}", lang.as_str(), rule.template(lang))?;
    }
    Ok(ExitCode::SUCCESS)
}
