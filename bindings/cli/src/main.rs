//! `tekser`: validate procurement data packets from the shell.
//!
//! Exit status of `check`: 0 every packet accepted, 1 some packet rejected, 2 some input
//! unusable (unreadable, unknown entity, …) or a usage error.

use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tekser::{Algorithm, Catalog, Dataset, Entity, Lang, LocalDateTime, Options, PacketDigest, Reply};

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
        #[command(flatten)]
        rules: RuleArgs,
        /// Language of messages.
        #[arg(long, value_enum, default_value_t = LangChoice::Ru)]
        lang: LangChoice,
        /// Output format: readable text, or the canonical JSON report (one document per file;
        /// one dataset report with --dataset).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Validate the files together as one dataset: also check references between
        /// entities (lot → announcement, lot → plan item, result → lot, contract detail → lot),
        /// ids unique across packets, announcement sums and one winner per lot.
        #[arg(long)]
        dataset: bool,
        /// Do all the work on one thread (by default the records of a large input are
        /// checked on one thread per core; the report is the same).
        #[arg(long)]
        one_thread: bool,
        #[command(flatten)]
        signature: SignatureArgs,
    },
    /// Check the XMLDSig signatures of a signed XML packet or document: reference digest,
    /// signature value, the certificate's chain to trust anchors, its validity at the packet's
    /// created_at (or --at), key usage, revocation (--crl). Exit 0 valid, 1 invalid, 2 unusable.
    Verify {
        /// Signed XML files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[command(flatten)]
        signature: SignatureArgs,
        /// Language of messages.
        #[arg(long, value_enum, default_value_t = LangChoice::Ru)]
        lang: LangChoice,
        /// Output format: readable text, or the canonical JSON signature report.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the integrity digest of packets (the same for a packet's JSON and XML forms).
    Digest {
        /// Packet files; `-` for standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Hash algorithm.
        #[arg(long, value_enum, default_value_t = AlgorithmChoice::Sha256)]
        alg: AlgorithmChoice,
        /// Print the per-record digest list (JSON, the input of `tekser diff`) instead.
        #[arg(long, conflicts_with = "canonical")]
        per_record: bool,
        /// Print the canonical form the digest hashes (schemas/CANONICAL.md) instead.
        #[arg(long)]
        canonical: bool,
        /// Entity of the records (needed for a bare list of records).
        #[arg(long, value_parser = parse_entity)]
        entity: Option<Entity>,
    },
    /// Validate a packet and print the reply message: "data accepted" or "error" (Rules p.13).
    Reply {
        /// The packet file; `-` for standard input.
        file: PathBuf,
        #[command(flatten)]
        rules: RuleArgs,
        /// Output format of the reply.
        #[arg(long, value_enum, default_value_t = ReplyFormat::Json)]
        format: ReplyFormat,
        /// Language of the messages in the reply.
        #[arg(long, value_enum, default_value_t = OneLang::Ru)]
        lang: OneLang,
        /// The reply's time, Astana local time `dd.mm.yyyy HH:MM` (written with its UTC offset).
        #[arg(long, value_parser = parse_local_time)]
        replied_at: Option<LocalDateTime>,
        #[command(flatten)]
        signature: SignatureArgs,
    },
    /// Compare two per-record digest lists (ours and the receiver's) and name the records
    /// missing on either side or different (the audit of Rules p.12). Given two packets,
    /// it also names, for each changed record, the fields whose values differ (Rules p.12:
    /// "changed properties"). A list and a packet are compared by record digests (--alg).
    Diff {
        /// Our per-record digest list (from `tekser digest --per-record`) or packet.
        ours: PathBuf,
        /// The receiver's list or packet.
        theirs: PathBuf,
        /// Algorithm for inputs that are packets rather than lists.
        #[arg(long, value_enum, default_value_t = AlgorithmChoice::Sha256)]
        alg: AlgorithmChoice,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
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

/// How signatures are checked.
#[derive(clap::Args)]
struct SignatureArgs {
    /// Trust anchors: `test` or `prod` (NCA RK certificates shipped with tekser), or a
    /// directory of CA certificates (DER or PEM), every file of which is trusted.
    #[arg(long, value_name = "test|prod|DIR", default_value = "prod")]
    anchors: String,
    /// A CRL (DER or PEM) to check revocation against; repeat for several.
    #[arg(long, value_name = "FILE")]
    crl: Vec<PathBuf>,
    /// Verification time: "dd.mm.yyyy HH:MM" (Astana time) or "yyyy-mm-ddTHH:MM[:SS]Z" (UTC);
    /// default: the packet's header/created_at. The machine clock is never used.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// Reading of several signatures: sequential (each covers the document without itself and
    /// the later ones, as NCA RK's verifier reads them) or strict (without itself only).
    #[arg(long, value_name = "sequential|strict", default_value = "sequential")]
    semantics: String,
    /// With `check`: verify signatures when the XML packet has one (auto), always (require:
    /// an unsigned packet is rejected), or never (off).
    #[arg(long, value_enum, default_value_t = SignatureMode::Auto)]
    signature: SignatureMode,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SignatureMode {
    Auto,
    Require,
    Off,
}

impl SignatureArgs {
    /// The core's options from these arguments.
    fn options(&self) -> Result<tekser::signature::VerifyOptions, String> {
        let anchors = match self.anchors.as_str() {
            "test" | "prod" => tekser::signature::Anchors::named(&self.anchors).map_err(|e| e.to_string())?,
            dir => {
                let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
                    .map_err(|e| format!("--anchors {dir}: {e} (expected test, prod or a directory)"))?
                    .filter_map(|entry| entry.ok().map(|e| e.path()))
                    .filter(|p| p.is_file())
                    .collect();
                paths.sort();
                let files = paths
                    .iter()
                    .map(|p| std::fs::read(p).map(|b| (p.display().to_string(), b)))
                    .collect::<io::Result<Vec<_>>>()
                    .map_err(|e| format!("--anchors {dir}: {e}"))?;
                if files.is_empty() {
                    return Err(format!("--anchors {dir}: no certificate files in it"));
                }
                tekser::signature::Anchors::custom(dir, &files).map_err(|e| e.to_string())?
            }
        };
        let crls = self
            .crl
            .iter()
            .map(|path| {
                let bytes = std::fs::read(path).map_err(|e| format!("--crl {}: {e}", path.display()))?;
                tekser::signature::Crl::parse(&bytes).map_err(|e| format!("--crl {}: {e}", path.display()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let at = self
            .at
            .as_deref()
            .map(tekser::signature::parse_time)
            .transpose()
            .map_err(|e| format!("--at: {e}"))?;
        let semantics = self
            .semantics
            .parse()
            .map_err(|e: tekser::Error| format!("--semantics: {e}"))?;
        Ok(tekser::signature::VerifyOptions {
            anchors,
            crls,
            at,
            semantics,
        })
    }
}

/// Verifies a file's signatures, reading it twice (never whole).
fn verify_file(
    path: &Path,
    options: &tekser::signature::VerifyOptions,
) -> Result<tekser::signature::SignatureReport, tekser::Error> {
    tekser::signature::verify_source(
        || std::fs::File::open(path).map(|f| io::BufReader::with_capacity(256 * 1024, f)),
        options,
    )
}

/// The XMLDSig namespace name: a document that has it is (meant to be) signed.
const XMLDSIG_NAMESPACE: &[u8] = b"http://www.w3.org/2000/09/xmldsig#";

/// Whether an input holds the XMLDSig namespace name: a byte search, far cheaper than
/// reading the XML, so unsigned packets cost nothing in `check --signature auto`.
fn mentions_xmldsig(path: &Path) -> io::Result<bool> {
    const NEEDLE: &[u8] = XMLDSIG_NAMESPACE;
    let finder = memchr::memmem::Finder::new(NEEDLE);
    let mut file = std::fs::File::open(path)?;
    let mut buf = vec![0u8; 1 << 20];
    let mut kept = 0usize;
    loop {
        let n = file.read(&mut buf[kept..])?;
        if n == 0 {
            return Ok(false);
        }
        let end = kept + n;
        if finder.find(&buf[..end]).is_some() {
            return Ok(true);
        }
        // Keep the tail in case the name is cut by the read.
        let tail = (NEEDLE.len() - 1).min(end);
        buf.copy_within(end - tail..end, 0);
        kept = tail;
    }
}

fn verify(files: &[PathBuf], args: &SignatureArgs, lang: LangChoice, format: Format) -> io::Result<ExitCode> {
    let options = match args.options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("tekser: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut worst = 0u8;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for path in files {
        let name = display_name(path);
        match verify_file(path, &options) {
            Ok(mut report) => {
                report.lang = lang.lang();
                if !report.accepted() {
                    worst = worst.max(1);
                }
                match format {
                    Format::Json => out.write_all(report.to_json().as_bytes())?,
                    Format::Text => out.write_all(report.to_text(&name).as_bytes())?,
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

/// How the rules are chosen: entity, rule set, run-time dictionaries.
#[derive(clap::Args)]
struct RuleArgs {
    /// Entity of the records (needed for a bare list of records; checked against a packet's header).
    #[arg(long, value_parser = parse_entity)]
    entity: Option<Entity>,
    /// Rule set to apply (default: the one the header names, else the one in force on its creation date).
    #[arg(long)]
    rule_set: Option<String>,
    /// A dictionary file that extends or replaces dictionaries (schemas/dictionary-file.schema.json).
    #[arg(long, value_name = "FILE")]
    dictionaries: Option<PathBuf>,
    /// Keep at most N findings per report; the rest are counted per code (`omitted`), and
    /// the verdict and totals still cover every record.
    #[arg(long, value_name = "N", default_value_t = tekser::DEFAULT_MAX_FINDINGS)]
    max_findings: usize,
    /// Refuse (exit 2, kind too_large) a record or other packet member longer than N
    /// bytes: reading one holds it whole.
    #[arg(long, value_name = "N", default_value_t = tekser::DEFAULT_MAX_RECORD_BYTES)]
    max_record_bytes: usize,
    /// Refuse (exit 2, kind too_large) an input of more than N records.
    #[arg(long, value_name = "N", default_value_t = tekser::DEFAULT_MAX_RECORDS)]
    max_records: u64,
    /// Refuse (exit 2, kind too_large) an input longer than N bytes (default: no limit for
    /// files and standard input, which are streamed).
    #[arg(long, value_name = "N")]
    max_input_bytes: Option<u64>,
}

impl RuleArgs {
    /// The options these arguments set.
    fn options(&self, lang: Option<Lang>) -> Options {
        Options {
            entity: self.entity,
            lang,
            rule_set: self.rule_set.clone(),
            max_findings: self.max_findings,
            max_record_bytes: self.max_record_bytes,
            max_records: self.max_records,
            ..Options::default()
        }
        .with_max_input_bytes(self.max_input_bytes)
    }

    /// The catalog fixed by --rule-set / --dictionaries, if any.
    fn catalog(&self) -> Result<Option<Catalog>, String> {
        let Some(path) = &self.dictionaries else {
            return Ok(None);
        };
        let base = match &self.rule_set {
            Some(name) => Catalog::named(name),
            None => Catalog::get(),
        }
        .map_err(|e| e.to_string())?;
        let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        base.with_dictionaries(&bytes)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum AlgorithmChoice {
    Sha256,
    Streebog256,
    Streebog512,
    Gost34311,
}

impl AlgorithmChoice {
    fn algorithm(self) -> Algorithm {
        match self {
            AlgorithmChoice::Sha256 => Algorithm::Sha256,
            AlgorithmChoice::Streebog256 => Algorithm::Streebog256,
            AlgorithmChoice::Streebog512 => Algorithm::Streebog512,
            AlgorithmChoice::Gost34311 => Algorithm::Gost34311,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReplyFormat {
    Json,
    Xml,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OneLang {
    Ru,
    Kk,
    En,
}

impl OneLang {
    fn lang(self) -> Lang {
        match self {
            OneLang::Ru => Lang::Ru,
            OneLang::Kk => Lang::Kk,
            OneLang::En => Lang::En,
        }
    }
}

fn parse_local_time(text: &str) -> Result<LocalDateTime, String> {
    LocalDateTime::parse(text).map_err(|_| format!("{text:?} is not an Astana time dd.mm.yyyy HH:MM"))
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
            rules,
            lang,
            format,
            dataset,
            one_thread,
            signature,
        } => check(&files, &rules, lang, format, dataset, one_thread, &signature),
        Command::Verify {
            files,
            signature,
            lang,
            format,
        } => verify(&files, &signature, lang, format),
        Command::Digest {
            files,
            alg,
            per_record,
            canonical,
            entity,
        } => digest(&files, alg.algorithm(), per_record, canonical, entity),
        Command::Reply {
            file,
            rules,
            format,
            lang,
            replied_at,
            signature,
        } => reply(&file, &rules, format, lang.lang(), replied_at, &signature),
        Command::Diff {
            ours,
            theirs,
            alg,
            format,
        } => diff(&ours, &theirs, alg.algorithm(), format),
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

fn read_input(path: &Path) -> io::Result<Vec<u8>> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        io::stdin().read_to_end(&mut bytes)?;
        Ok(bytes)
    } else {
        std::fs::read(path)
    }
}

/// Reads an input; on failure says why on stderr (the caller sets exit status 2).
fn read_or_say(path: &Path, name: &str) -> Option<Vec<u8>> {
    read_input(path)
        .map_err(|e| eprintln!("tekser: {name}: cannot read: {e}"))
        .ok()
}

fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

fn check(
    files: &[PathBuf],
    args: &RuleArgs,
    lang: LangChoice,
    format: Format,
    dataset: bool,
    one_thread: bool,
    signature: &SignatureArgs,
) -> io::Result<ExitCode> {
    let options = args.options(lang.lang());
    let signature_options = match signature.signature {
        SignatureMode::Off => None,
        _ => match signature.options() {
            Ok(o) => Some(o),
            Err(e) => {
                eprintln!("tekser: {e}");
                return Ok(ExitCode::from(2));
            }
        },
    };
    let catalog = match args.catalog() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tekser: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if dataset {
        return check_dataset(files, options, catalog.as_ref(), format);
    }
    let mut worst = 0u8;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    for path in files {
        let name = display_name(path);
        let result = match stream_file(path, &name, catalog.as_ref(), &options, one_thread) {
            Ok(result) => result,
            Err(e) => {
                eprintln!("tekser: {name}: cannot read: {e}");
                worst = 2;
                continue;
            }
        };
        match result {
            Ok(mut report) => {
                // The signature stage (Rules, App. 2 scheme 1 step 3), for a file that has one.
                if let Some(options) = &signature_options {
                    let signed = path.as_os_str() != "-" && mentions_xmldsig(path).unwrap_or(false);
                    if signed || signature.signature == SignatureMode::Require {
                        let checked = if path.as_os_str() == "-" {
                            Err(tekser::Error::InvalidOption(
                                "signatures of standard input are not checked: give a file".to_owned(),
                            ))
                        } else {
                            verify_file(path, options)
                        };
                        match checked {
                            Ok(s) => report = report.with_signature(s),
                            Err(e) => {
                                eprintln!("tekser: {name}: signature not checked ({}): {e}", e.kind());
                                worst = 2;
                                continue;
                            }
                        }
                    }
                }
                if !report.accepted() {
                    worst = worst.max(1);
                }
                match format {
                    Format::Json => out.write_all(report.to_json().as_bytes())?,
                    Format::Text => out.write_all(report.to_text(&name).as_bytes())?,
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

/// Files and standard input at least this large get a progress bar (on a terminal).
const PROGRESS_FROM_BYTES: u64 = 32 * 1024 * 1024;

/// Validates one file (or stdin) as it is read, in chunks: memory does not grow with the
/// packet. A progress bar on stderr shows bytes read for large inputs on a terminal.
fn stream_file(
    path: &Path,
    name: &str,
    catalog: Option<&Catalog>,
    options: &Options,
    one_thread: bool,
) -> io::Result<Result<tekser::Report, tekser::Error>> {
    let (mut reader, size): (Box<dyn Read>, Option<u64>) = if path.as_os_str() == "-" {
        (Box::new(io::stdin().lock()), None)
    } else {
        let file = std::fs::File::open(path)?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size)
    };
    let bar = progress_bar(name, size);
    let mut stream = match catalog {
        Some(c) => tekser::PacketStream::with_catalog(c, options),
        None => match tekser::PacketStream::new(options) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        },
    };
    if one_thread {
        stream = stream.on_one_thread();
    }
    let read = stream.read_all(&mut reader, |n| bar.set_position(n));
    match read {
        Ok(()) => bar.finish_and_clear(),
        Err(tekser::Error::Read(detail)) => {
            bar.abandon();
            return Err(io::Error::other(detail));
        }
        Err(e) => {
            bar.abandon();
            return Ok(Err(e));
        }
    }
    Ok(stream.finish())
}

/// A byte progress bar on stderr, hidden unless stderr is a terminal and the input is
/// large (or of unknown size, as stdin is, once it has grown large).
fn progress_bar(name: &str, size: Option<u64>) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !io::stderr().is_terminal() || size.is_some_and(|s| s < PROGRESS_FROM_BYTES) {
        return indicatif::ProgressBar::hidden();
    }
    let bar = match size {
        Some(total) => indicatif::ProgressBar::new(total).with_style(
            indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        ),
        None => indicatif::ProgressBar::new_spinner().with_style(
            indicatif::ProgressStyle::with_template("{msg} {spinner} {bytes} {bytes_per_sec}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        ),
    };
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr_with_hz(4));
    bar.with_message(name.to_owned())
}

fn check_dataset(
    files: &[PathBuf],
    options: Options,
    catalog: Option<&Catalog>,
    format: Format,
) -> io::Result<ExitCode> {
    let mut dataset = match catalog {
        Some(c) => Dataset::with_catalog(c, options),
        None => Dataset::new(options),
    };
    let mut unusable = false;
    for path in files {
        let name = display_name(path);
        let added = read_input(path)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|bytes| {
                dataset
                    .add(&name, &bytes)
                    .map(|_| ())
                    .map_err(|e| format!("unusable input ({}): {e}", e.kind()))
            });
        if let Err(e) = added {
            eprintln!("tekser: {name}: {e}");
            unusable = true;
        }
    }
    let report = dataset.finish();
    let mut out = io::stdout().lock();
    match format {
        Format::Json => out.write_all(report.to_json().as_bytes())?,
        Format::Text => out.write_all(report.to_text().as_bytes())?,
    }
    out.flush()?;
    Ok(ExitCode::from(if unusable {
        2
    } else if report.accepted() {
        0
    } else {
        1
    }))
}

fn digest(
    files: &[PathBuf],
    algorithm: Algorithm,
    per_record: bool,
    canonical: bool,
    entity: Option<Entity>,
) -> io::Result<ExitCode> {
    let options = Options {
        entity,
        ..Options::default()
    };
    let mut out = io::stdout().lock();
    let mut worst = 0u8;
    for path in files {
        let name = display_name(path);
        let unusable = |e: tekser::Error| format!("unusable input ({}): {e}", e.kind());
        if canonical {
            let Some(bytes) = read_or_say(path, &name) else {
                worst = 2;
                continue;
            };
            match tekser::canonical_form(&bytes, &options) {
                Ok(text) => writeln!(out, "{text}")?,
                Err(e) => {
                    eprintln!("tekser: {name}: {}", unusable(e));
                    worst = 2;
                }
            }
            continue;
        }
        // Streamed: a packet digest alone needs memory that does not grow with the packet.
        let reader: io::Result<Box<dyn Read>> = if path.as_os_str() == "-" {
            Ok(Box::new(io::stdin().lock()))
        } else {
            std::fs::File::open(path).map(|f| Box::new(f) as Box<dyn Read>)
        };
        let reader = match reader {
            Ok(r) => r,
            Err(e) => {
                eprintln!("tekser: {name}: cannot read: {e}");
                worst = 2;
                continue;
            }
        };
        let result = tekser::digest_reader(reader, &options, algorithm, per_record).map_err(unusable);
        match result {
            Ok(d) if per_record => out.write_all(d.to_json().as_bytes())?,
            Ok(d) => writeln!(out, "{}  {name}", d.digest)?,
            Err(e) => {
                eprintln!("tekser: {name}: {e}");
                worst = 2;
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::from(worst))
}

fn reply(
    path: &Path,
    args: &RuleArgs,
    format: ReplyFormat,
    lang: Lang,
    replied_at: Option<LocalDateTime>,
    signature: &SignatureArgs,
) -> io::Result<ExitCode> {
    let name = display_name(path);
    let options = args.options(Some(lang));
    let result = args.catalog().and_then(|catalog| {
        let bytes = read_input(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
        let mut report = match &catalog {
            Some(c) => tekser::validate_with(c, &bytes, &options),
            None => tekser::validate(&bytes, &options),
        }
        .map_err(|e| format!("{name}: unusable input ({}): {e}", e.kind()))?;
        // The signature stage of a signed packet: the reply carries its result.
        let signed = memchr::memmem::find(&bytes, XMLDSIG_NAMESPACE).is_some();
        if signature.signature == SignatureMode::Require || (signature.signature == SignatureMode::Auto && signed) {
            let verify_options = signature.options()?;
            let checked = tekser::signature::verify(&bytes, &verify_options)
                .map_err(|e| format!("{name}: signature not checked ({}): {e}", e.kind()))?;
            report = report.with_signature(checked);
        }
        Reply::from_report(&report, replied_at).map_err(|e| format!("{name}: {e}"))
    });
    match result {
        Ok(message) => {
            let text = match format {
                ReplyFormat::Json => message.to_json(),
                ReplyFormat::Xml => message.to_xml(),
            };
            io::stdout().lock().write_all(text.as_bytes())?;
            Ok(ExitCode::from(if message.accepted { 0 } else { 1 }))
        }
        Err(e) => {
            eprintln!("tekser: {e}");
            Ok(ExitCode::from(2))
        }
    }
}

/// A per-record digest list, or a packet whose list is computed.
fn digest_list(path: &Path, algorithm: Algorithm) -> Result<PacketDigest, String> {
    let name = display_name(path);
    let bytes = read_input(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    PacketDigest::read_or_compute(&bytes, &Options::default(), algorithm)
        .map_err(|e| format!("{name}: neither a digest list nor a usable packet ({}): {e}", e.kind()))
}

/// Compares two packets field by field, or two digest lists (or a list and a packet) by
/// record digests only.
fn compare_inputs(ours: &Path, theirs: &Path, algorithm: Algorithm) -> Result<tekser::Comparison, String> {
    let read = |path: &Path| read_input(path).map_err(|e| format!("{}: cannot read: {e}", display_name(path)));
    let (ours_bytes, theirs_bytes) = (read(ours)?, read(theirs)?);
    let is_list = |bytes: &[u8]| PacketDigest::from_json(bytes).is_ok();
    if !is_list(&ours_bytes) && !is_list(&theirs_bytes) {
        return tekser::compare_packets(&ours_bytes, &theirs_bytes, &Options::default(), algorithm).map_err(|e| {
            format!(
                "{} / {}: cannot compare the packets ({}): {e}",
                display_name(ours),
                display_name(theirs),
                e.kind()
            )
        });
    }
    let o = digest_list(ours, algorithm)?;
    let t = digest_list(theirs, algorithm)?;
    tekser::compare(&o, &t).map_err(|e| e.to_string())
}

fn diff(ours: &Path, theirs: &Path, algorithm: Algorithm, format: Format) -> io::Result<ExitCode> {
    let result = compare_inputs(ours, theirs, algorithm);
    let comparison = match result {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tekser: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let mut out = io::stdout().lock();
    match format {
        Format::Json => out.write_all(comparison.to_json().as_bytes())?,
        Format::Text => {
            for id in &comparison.changed {
                match comparison.fields_of(id) {
                    Some(fields) if !fields.is_empty() => writeln!(out, "changed      {id}: {}", fields.join(", "))?,
                    _ => writeln!(out, "changed      {id}")?,
                }
            }
            for id in &comparison.only_ours {
                writeln!(out, "only ours    {id}")?;
            }
            for id in &comparison.only_theirs {
                writeln!(out, "only theirs  {id}")?;
            }
            writeln!(
                out,
                "{}: {} changed, {} only in ours, {} only in theirs ({})",
                if comparison.same() { "same" } else { "different" },
                comparison.changed.len(),
                comparison.only_ours.len(),
                comparison.only_theirs.len(),
                comparison.algorithm
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::from(if comparison.same() { 0 } else { 1 }))
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
    for c in Catalog::all().map_err(io::Error::other)? {
        let until = c
            .applies_until
            .map(|d| format!("{:02}.{:02}.{:04}", d.day, d.month, d.year));
        writeln!(
            out,
            "  {}: {} — from {:02}.{:02}.{:04}{}; digest {}",
            c.rule_set,
            c.title,
            c.applies_from.day,
            c.applies_from.month,
            c.applies_from.year,
            until.map(|u| format!(" until {u}")).unwrap_or_default(),
            c.digest
        )?;
    }
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
