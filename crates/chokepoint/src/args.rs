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
    /// Import list files or directories into the data directory
    Import {
        /// Files or directories (formats are detected from content)
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
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
