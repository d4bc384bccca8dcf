//! The command line as typed: every subcommand and flag, with its help text.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// chokepoint: export-control compliance for the semiconductor supply chain.
///
/// Screens names against the official lists in any script, and explains every hit.
#[derive(Debug, Parser)]
#[command(name = "chokepoint", version, about, long_about = None)]
pub struct Cli {
    /// Where imported lists and other state live [default: the user's data directory,
    /// e.g. ~/.local/share/chokepoint]
    #[arg(long, global = true, env = "CHOKEPOINT_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Screen a name (or a CSV file of names) against the lists
    Screen(ScreenArgs),
    /// Score two names (or a TSV file of pairs) and explain the score
    Match(MatchArgs),
    /// Import, inspect and update the screening lists
    #[command(subcommand)]
    Lists(ListsCommand),
    /// Decide whether transactions need a license, with every rule and citation
    Check(CheckArgs),
    /// De minimis and foreign-direct-product status of a product over its bill of materials
    Bom(BomArgs),
    /// Show the export rules: in force on a date, one rule, or changes between dates
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Run the HTTP API server (loopback only unless told otherwise)
    Serve(ServeArgs),
    /// Create, list and revoke API keys
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Verify and export the audit trail
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Fabrication facilities in the registry and their 744.23 (advanced-node) classification
    #[command(subcommand)]
    Facility(FacilityCommand),
    /// Who owns a company, and how much listed parties own of it (affiliates rule)
    Owners(OwnersArgs),
    /// Watch customers and open orders: re-checked after every list or rule change
    #[command(subcommand)]
    Watch(WatchCommand),
    /// Alerts raised by change monitoring: list and acknowledge
    #[command(subcommand)]
    Alerts(AlertsCommand),
    /// What changed between two dates for the watched customers and orders
    Report(ReportArgs),
}

/// Registry files added to the shipped registry (`registry/`).
#[derive(Debug, Args, Clone, Default)]
pub struct RegistryFiles {
    /// Add this facility or ownership file: YAML like `registry/*.yaml`, or CSV (see
    /// `crates/chokepoint-registry/FORMAT.md`); repeatable
    #[arg(long = "registry", value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum FacilityCommand {
    /// Every facility with its classification on a date
    List(FacilityListArgs),
    /// One facility in full: facts and their sources, classification, owners
    Show(FacilityShowArgs),
}

#[derive(Debug, Args)]
pub struct FacilityListArgs {
    /// Keep facilities in this country (ISO-2 code)
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,
    /// Keep facilities classified advanced (`true`), not advanced (`false`) or `unknown`
    #[arg(long, value_enum, value_name = "true|false|unknown")]
    pub advanced: Option<AdvancedArg>,
    /// Classify as of this date [default: today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    #[command(flatten)]
    pub registry: RegistryFiles,
}

#[derive(Debug, Args)]
pub struct FacilityShowArgs {
    /// Facility id, name, alias or operator
    pub name: String,
    /// Classify as of this date [default: today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    #[command(flatten)]
    pub registry: RegistryFiles,
}

#[derive(Debug, Args)]
pub struct OwnersArgs {
    /// Company name (any spelling the registry or the lists know)
    pub name: String,
    /// Answer as of this date [default: today]
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    #[command(flatten)]
    pub registry: RegistryFiles,
    #[command(flatten)]
    pub lists: ListSources,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AdvancedArg {
    True,
    False,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

/// Where the lists come from.
#[derive(Debug, Args, Clone, Default)]
pub struct ListSources {
    /// Screen against these list files or directories instead of the imported lists
    /// (repeatable; formats are detected from content)
    #[arg(long = "lists", value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// The name to screen
    #[arg(required_unless_present = "input", conflicts_with = "input")]
    pub name: Option<String>,

    /// Screen every row of this CSV (header with `id` and `name`; optional `country`, `type`)
    #[arg(long, value_name = "FILE.csv")]
    pub input: Option<PathBuf>,

    /// Write batch results here instead of standard output
    #[arg(long, value_name = "FILE", requires = "input")]
    pub output: Option<PathBuf>,

    /// Keep entries tied to this country (ISO-2 code or name) or to none
    #[arg(long, value_name = "CC")]
    pub country: Option<String>,

    /// Keep entries of this type (or of unknown type)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<KindArg>,

    /// Keep entries on these lists (codes such as EL, SDN, DPL, MEU, UN; repeatable)
    #[arg(long = "list", value_name = "CODE")]
    pub list_codes: Vec<String>,

    /// Screen as of this date: entries not yet listed, or no longer, are left out
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,

    /// Score at or above which a hit is a match
    #[arg(long, value_name = "0..1", default_value_t = chokepoint_screening::DEFAULT_THRESHOLD)]
    pub threshold: f32,

    /// Most hits per name
    #[arg(long, default_value_t = 10)]
    pub limit: usize,

    /// Output format [default: text for one name, jsonl for a batch]
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    #[command(flatten)]
    pub lists: ListSources,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// The screened name
    #[arg(required_unless_present = "pairs", conflicts_with = "pairs")]
    pub name_a: Option<String>,

    /// The listed name
    #[arg(required_unless_present = "pairs")]
    pub name_b: Option<String>,

    /// Score every pair of this TSV (header naming `query` and `candidate` columns)
    #[arg(long, value_name = "FILE.tsv")]
    pub pairs: Option<PathBuf>,

    /// Score at or above which a pair is a match
    #[arg(long, value_name = "0..1", default_value_t = chokepoint_screening::DEFAULT_THRESHOLD)]
    pub threshold: f32,

    /// Output format [default: text for one pair, jsonl for a file]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Subcommand)]
pub enum ListsCommand {
    /// Import list files or directories into the data directory (then re-check the watched
    /// customers and orders, when any)
    Import {
        /// Files or directories (formats are detected from content)
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Every version of the imported lists: revision, date, and each source's content hash,
    /// vintage and counts
    History {
        /// Output format
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Entries added, removed and changed between two versions [default: the last two]
    Diff {
        /// The older version: a revision number (`lists history`) or a date (the revision
        /// current at its end) [default: the revision before --to]
        #[arg(long, value_name = "SNAPSHOT")]
        from: Option<String>,
        /// The newer version [default: the current revision]
        #[arg(long, value_name = "SNAPSHOT")]
        to: Option<String>,
        /// Only this source (its label in `lists history`, e.g. `consolidated.csv`)
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
    },
    /// Show each imported list: source, vintage, counts
    Status {
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Download the current official files and import them
    Update {
        /// Download from this mirror (serving the official file names) instead of the official
        /// URLs
        #[arg(long, value_name = "URL", env = "CHOKEPOINT_LIST_MIRROR")]
        mirror: Option<String>,
        /// Only these files (e.g. consolidated.csv, sdn.csv; repeatable)
        #[arg(long, value_name = "NAME")]
        only: Vec<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A transaction record, or a list of records, in YAML or JSON (see README)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Answer as of this date instead of each record's `as_of`
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,

    /// Output format: a memo (text), JSON, or one JSON line per record
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    #[command(flatten)]
    pub lists: ListSources,
}

#[derive(Debug, Args)]
pub struct BomArgs {
    /// The bill of materials, CSV or JSON (see crates/chokepoint-bom/FORMAT.md)
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Destination country (ISO-2)
    #[arg(long, value_name = "CC")]
    pub destination: String,

    /// The end user's name
    #[arg(long, value_name = "NAME")]
    pub end_user: Option<String>,

    /// The end user's list status: entity_list, meu_list, sdn... or `none` (screened, not listed)
    #[arg(long, value_name = "LIST")]
    pub end_user_list: Option<String>,

    /// An Entity List footnote of the end user's entry (repeatable)
    #[arg(long = "end-user-footnote", value_name = "N")]
    pub end_user_footnotes: Vec<u8>,

    /// Country (ISO-2) where the end user or its ultimate parent is headquartered
    #[arg(long, value_name = "CC")]
    pub end_user_headquarters: Option<String>,

    /// A currency rate to USD, like `EUR=1.08` (1 EUR = 1.08 USD); repeatable, overrides the file
    #[arg(long = "rate", value_name = "CUR=RATE")]
    pub rates: Vec<String>,

    /// Answer as of this date (default: today)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,

    /// Output format: a worksheet (text) or JSON
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// The rules in force on a date (default: today)
    List {
        /// The date
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
        /// Only this regime's rules: US (the EAR), JP, NL or EU
        #[arg(long, value_name = "REGIME")]
        regime: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// One rule in full: citation, dates, conditions, review policy, explanation
    Show {
        /// The rule id (see `rules list`)
        id: String,
    },
    /// What changed between two dates: rules that came into force, ended, were suspended or
    /// reinstated, and country-group changes
    Diff {
        /// From this date (exclusive)
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: chrono::NaiveDate,
        /// Up to this date (inclusive)
        #[arg(long, value_name = "YYYY-MM-DD")]
        to: chrono::NaiveDate,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Entity,
    Individual,
    Vessel,
    Aircraft,
}

impl KindArg {
    pub fn to_model(self) -> chokepoint_model::PartyKind {
        use chokepoint_model::PartyKind;
        match self {
            KindArg::Entity => PartyKind::Entity,
            KindArg::Individual => PartyKind::Individual,
            KindArg::Vessel => PartyKind::Vessel,
            KindArg::Aircraft => PartyKind::Aircraft,
        }
    }
}

/// Which database holds keys, audit trail and cases.
#[derive(Debug, Args, Clone, Default)]
pub struct DatabaseArg {
    /// Database URL: `postgres://USER@HOST/DB` to share state between servers, or `sqlite:PATH`
    /// [default: sqlite:DATA_DIR/chokepoint.db]
    #[arg(long, env = "CHOKEPOINT_DATABASE_URL", value_name = "URL")]
    pub database: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    pub addr: std::net::SocketAddr,

    /// Stop a request (other than a list import) after this many seconds
    #[arg(long = "timeout", default_value_t = 30, value_name = "SECONDS")]
    pub timeout_secs: u64,

    /// A batch job whose worker shows no progress for this long (it died) is taken over by
    /// another worker or instance
    #[arg(long = "job-lease", default_value_t = 30, value_name = "SECONDS")]
    pub job_lease_secs: u64,

    /// Answer 429 to a key sending more than this many requests per second [default: no limit]
    #[arg(long, value_name = "PER_SECOND")]
    pub rate_limit: Option<u32>,

    #[command(flatten)]
    pub database: DatabaseArg,

    #[command(flatten)]
    pub lists: ListSources,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key; it is printed once, as the last line of standard output
    Create {
        /// What the key may do: viewers read, analysts screen and review, admins also import
        /// lists and manage keys
        #[arg(long, value_enum)]
        role: RoleArg,
        /// A name for people and the audit trail [default: ROLE-ID]
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// List keys (never the keys themselves)
    List {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Revoke a key by its id
    Revoke {
        /// The key's id (from `keys list`)
        id: String,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Analyst,
    Viewer,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chain: exit 0 when intact, 1 naming the first bad record
    Verify {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Screen a past screening's request again against its list snapshot (rebuilt from the
    /// data directory) and compare: exit 0 when the answer is the same, 1 when not
    Replay {
        /// The audit record's sequence number
        seq: u64,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Write the audit records as JSON lines, oldest first
    Export {
        /// Write here instead of standard output
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Only records after this sequence number
        #[arg(long, default_value_t = 0, value_name = "SEQ")]
        after: u64,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// Add or update customers from a customer master CSV (see
    /// crates/chokepoint-monitor/FORMAT.md); every bad row is reported with its line
    ImportParties {
        /// The CSV: `id`, `name`, optional `country` and `type`, other columns kept
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Add or update open orders: transaction records in YAML or JSON (as `chokepoint check`)
    ImportOrders {
        /// The records
        #[arg(value_name = "FILE")]
        file: PathBuf,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Stop watching customers, by id (audited): they are no longer checked nor alerted on;
    /// alerts already raised are kept. Nothing is removed if one id is not watched
    RemoveParties {
        /// The customers' ids
        #[arg(value_name = "ID", required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Stop watching open orders, by record id (audited), like `remove-parties`
    RemoveOrders {
        /// The orders' record ids
        #[arg(value_name = "ID", required = true)]
        ids: Vec<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Re-check what the list and rule changes since the last run can affect, and raise alerts
    Run {
        /// Answer open orders as of this date [default: today]
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
        /// Output format
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum AlertsCommand {
    /// Alerts, oldest first
    List {
        /// Only `party` or `order` alerts
        #[arg(long, value_name = "party|order")]
        subject: Option<String>,
        /// Only alerts not acknowledged yet
        #[arg(long)]
        open: bool,
        /// Raised on or after this date
        #[arg(long, value_name = "YYYY-MM-DD")]
        since: Option<chrono::NaiveDate>,
        /// At most this many
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Output format
        #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
        format: TextOrJson,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Acknowledge an alert (audited)
    Ack {
        /// The alert's id
        id: String,
        /// What was done about it
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        database: DatabaseArg,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// From this date (its end: changes after it)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: chrono::NaiveDate,
    /// Up to this date (inclusive)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: chrono::NaiveDate,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
    #[command(flatten)]
    pub database: DatabaseArg,
}
