//! OFAC legacy CSV: the SDN list (`sdn.csv` with `add.csv`, `alt.csv`, `sdn_comments.csv`) and
//! the consolidated non-SDN list (`cons_prim.csv` with `cons_add.csv`, `cons_alt.csv`,
//! `cons_comments.csv`).
//!
//! Quirks handled:
//! - no header row; each file is told apart by its field count (primary 12: `ent_num, SDN_Name,
//!   SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner,
//!   Remarks`; addresses 6; aliases 5; comments 2) and every row starts with the numeric `ent_num`;
//! - `-0-` (often `-0- ` with a trailing blank) means null; files are Latin-1, read as
//!   Windows-1252 without warning (that is their encoding, not a defect); a DOS end-of-file mark
//!   (`0x1A`) closes them;
//! - `SDN_Type` null means an entity (OFAC only types individuals, vessels and aircraft);
//! - `Program` holds several programs as `SDGT] [IRGC` (the outer brackets are stripped by OFAC);
//! - `sdn_comments.csv` holds the overflow of a truncated `Remarks` field and is appended to it
//!   verbatim;
//! - remarks carry OFAC's weak aliases (`a.k.a. 'BNC'` → weak alias), former names
//!   (`f.k.a. 'X'`), `n.k.a. 'X'` (alias), `DOB ...` and `nationality X` / `citizen X` (country);
//! - alias rows: `aka` and `nka` → alias, `fka` → former name; a row whose remarks say "weak" or
//!   whose name is wrapped in single quotes → weak alias;
//! - companion rows whose `ent_num` is not in the primary file are counted in one warning per
//!   companion file (with the first few `ent_num`s), never silently dropped and never one
//!   diagnostic each.
//!
//! Names are kept verbatim (`LAST, First` for individuals; name order is the names crate's job).
//! SDN entries get list code `SDN`. Consolidated entries get their code from their programs:
//!
//! | program                                   | code     |
//! |-------------------------------------------|----------|
//! | `CMIC-EO13959`                            | `CMIC`   |
//! | `NS-PLC`                                  | `PLC`    |
//! | `561-Related`, `CAPTA*`                   | `CAP`    |
//! | `FSE-*`                                   | `FSE`    |
//! | `UKRAINE-EO13662` (sectoral, SSI)         | `SSI`    |
//! | `RUSSIA-EO14024`, `CAATSA - RUSSIA`, `HKAA`, `BURMA-EO14014`, `ILLICIT-DRUGS-EO14059` (menu-based) | `NS-MBS` |
//! | anything else                             | `CONS`   |
//!
//! The first matching row wins, so an entry under both `UKRAINE-EO13662` and `RUSSIA-EO14024` is
//! `SSI`, as trade.gov's CSL files it. OFAC files carry no generation date: the vintage is `None`.

use crate::InputFile;
use crate::error::IngestError;
use crate::text::{self, UnknownCountries};
use chokepoint_model::{
    Address, Diagnostic, ListCode, ListEntry, ListSet, NameKind, PartyKind, SourceFormat,
};
use std::collections::HashMap;

/// What one OFAC legacy file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// `sdn.csv`, `cons_prim.csv`: one row per entry.
    Primary,
    /// `add.csv`, `cons_add.csv`.
    Addresses,
    /// `alt.csv`, `cons_alt.csv`.
    Aliases,
    /// `sdn_comments.csv`, `cons_comments.csv`: remarks overflow.
    Comments,
}

impl Role {
    fn from_field_count(count: usize) -> Option<Role> {
        match count {
            12 => Some(Role::Primary),
            6 => Some(Role::Addresses),
            5 => Some(Role::Aliases),
            2 => Some(Role::Comments),
            _ => None,
        }
    }

    fn field_count(self) -> usize {
        match self {
            Role::Primary => 12,
            Role::Addresses => 6,
            Role::Aliases => 5,
            Role::Comments => 2,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Role::Primary => "primary",
            Role::Addresses => "addresses",
            Role::Aliases => "aliases",
            Role::Comments => "remarks overflow",
        }
    }
}

/// Programs found only on the consolidated non-SDN list, used to tell a renamed `cons_prim.csv`
/// from `sdn.csv`.
const NON_SDN_PROGRAMS: &[&str] = &["NS-PLC", "UKRAINE-EO13662", "CMIC-EO13959", "561-Related"];

/// Menu-based (NS-MBS) programs of the consolidated list.
const MENU_BASED_PROGRAMS: &[&str] = &[
    "RUSSIA-EO14024",
    "CAATSA - RUSSIA",
    "HKAA",
    "BURMA-EO14014",
    "ILLICIT-DRUGS-EO14059",
];

/// The role of an OFAC legacy file, from its first five rows: the first starts with a numeric
/// `ent_num`, and more than half of them share the field count of one role. `None` when the
/// content is not OFAC legacy CSV.
pub(crate) fn role_of(body: &[u8]) -> Option<Role> {
    let mut votes: Vec<(Role, usize)> = Vec::new();
    let mut sampled = 0;
    for item in text::csv_records(body, b',').take(5) {
        let (_, record) = item.ok()?;
        sampled += 1;
        let first = record
            .get(0)
            .map(|f| text::decode(f).text.trim().to_string())
            .unwrap_or_default();
        let numeric = !first.is_empty() && first.bytes().all(|b| b.is_ascii_digit());
        if !numeric {
            if sampled == 1 {
                return None;
            }
            continue;
        }
        if let Some(role) = Role::from_field_count(record.len()) {
            match votes.iter_mut().find(|(r, _)| *r == role) {
                Some((_, count)) => *count += 1,
                None => votes.push((role, 1)),
            }
        }
    }
    let (role, count) = votes.into_iter().max_by_key(|(_, count)| *count)?;
    (count * 2 > sampled).then_some(role)
}

/// Whether an OFAC file belongs to the SDN or the consolidated list: by file name (`cons_*`),
/// then, for a primary file, by content (most rows under non-SDN programs); SDN otherwise.
pub(crate) fn family_of(label: &str, body: &[u8], role: Role) -> SourceFormat {
    let name = label
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(label)
        .to_ascii_lowercase();
    if name.starts_with("cons") {
        return SourceFormat::OfacConsCsv;
    }
    if role == Role::Primary {
        let (mut rows, mut non_sdn) = (0usize, 0usize);
        for (_, record) in text::csv_records(body, b',').filter_map(Result::ok) {
            rows += 1;
            let programs = record.get(3).map(|f| text::decode(f).text.into_owned());
            if programs
                .as_deref()
                .is_some_and(|p| split_programs(p).any(|p| NON_SDN_PROGRAMS.contains(&p)))
            {
                non_sdn += 1;
            }
        }
        if rows > 0 && non_sdn * 2 > rows {
            return SourceFormat::OfacConsCsv;
        }
    }
    SourceFormat::OfacSdnCsv
}

/// The programs of a `Program` field: `SDGT] [IRGC` → `SDGT`, `IRGC`.
fn split_programs(field: &str) -> impl Iterator<Item = &str> {
    field.split(['[', ']']).filter_map(text::value)
}

/// The consolidated list code for an entry's programs (see the module table).
fn consolidated_list_code(programs: &[String]) -> &'static str {
    let any = |test: &dyn Fn(&str) -> bool| programs.iter().any(|p| test(p));
    if any(&|p| p == "CMIC-EO13959") {
        "CMIC"
    } else if any(&|p| p == "NS-PLC") {
        "PLC"
    } else if any(&|p| p == "561-Related" || p.starts_with("CAPTA")) {
        "CAP"
    } else if any(&|p| p.starts_with("FSE")) {
        "FSE"
    } else if any(&|p| p == "UKRAINE-EO13662") {
        "SSI"
    } else if any(&|p| MENU_BASED_PROGRAMS.contains(&p)) {
        "NS-MBS"
    } else {
        "CONS"
    }
}

/// Reads one primary file alone.
pub(crate) fn parse_single(
    label: &str,
    bytes: &[u8],
    format: SourceFormat,
) -> Result<ListSet, IngestError> {
    match role_of(bytes) {
        Some(Role::Primary) => {
            let mut group = Group::read(InputFile { label, bytes }, format);
            group.finish();
            Ok(group.into_list_set())
        }
        Some(role) => Err(IngestError::CompanionWithoutPrimary {
            label: label.to_string(),
            role: role.describe(),
        }),
        None => Err(not_ofac(label, format)),
    }
}

fn not_ofac(label: &str, format: SourceFormat) -> IngestError {
    IngestError::malformed(
        label,
        format,
        "expected header-less rows starting with a numeric ent_num (12 fields for sdn.csv, 6 for add.csv, 5 for alt.csv, 2 for sdn_comments.csv)",
    )
}

/// Reads OFAC files detected in a batch: each primary file with the companions that belong to
/// it, chosen by family (file name) and by how many of their `ent_num`s the primary holds.
pub(crate) fn parse_groups(files: &[(InputFile<'_>, SourceFormat)]) -> (ListSet, Vec<IngestError>) {
    let mut errors = Vec::new();
    let mut groups = Vec::new();
    let mut companions = Vec::new();
    for (file, format) in files {
        match role_of(file.bytes) {
            Some(Role::Primary) => groups.push(Group::read(*file, *format)),
            Some(role) => companions.push((*file, *format, role)),
            None => errors.push(not_ofac(file.label, *format)),
        }
    }
    for (file, format, role) in companions {
        let rows = CompanionRows::read(file, role);
        let best = groups
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let overlap = rows.ent_nums().filter(|n| g.index.contains_key(n)).count();
                (overlap, g.format == format, std::cmp::Reverse(i))
            })
            .max()
            .map(|(_, _, std::cmp::Reverse(i))| i);
        match best.and_then(|i| groups.get_mut(i)) {
            Some(group) => group.attach(rows),
            None => errors.push(IngestError::CompanionWithoutPrimary {
                label: file.label.to_string(),
                role: role.describe(),
            }),
        }
    }
    let mut set = ListSet::default();
    for mut group in groups {
        group.finish();
        set.extend(group.into_list_set());
    }
    (set, errors)
}

/// One primary file and what its companions added.
struct Group {
    labels: Vec<String>,
    format: SourceFormat,
    entries: Vec<ListEntry>,
    /// `ent_num` → index in `entries`.
    index: HashMap<u64, usize>,
    diagnostics: Vec<Diagnostic>,
    unknown_countries: UnknownCountries,
}

impl Group {
    fn read(file: InputFile<'_>, format: SourceFormat) -> Group {
        let label = file.label;
        let mut group = Group {
            labels: vec![label.to_string()],
            format,
            entries: Vec::new(),
            index: HashMap::new(),
            diagnostics: Vec::new(),
            unknown_countries: UnknownCountries::default(),
        };
        for (line, fields) in rows(file, Role::Primary, &mut group.diagnostics) {
            let field = |i: usize| fields.get(i).map_or("", String::as_str);
            let Some(ent_num) = parse_ent_num(field(0)) else {
                group.diagnostics.push(
                    Diagnostic::error(
                        label,
                        format!("`{}` is not an ent_num; row skipped", field(0).trim()),
                    )
                    .at_line(line)
                    .in_field("ent_num"),
                );
                continue;
            };
            let record = ent_num.to_string();
            let Some(name) = text::value(field(1)) else {
                group.diagnostics.push(
                    Diagnostic::error(label, "the row has no name; skipped")
                        .at_line(line)
                        .in_record(record)
                        .in_field("SDN_Name"),
                );
                continue;
            };
            if group.index.contains_key(&ent_num) {
                group.diagnostics.push(
                    Diagnostic::error(label, "the ent_num is repeated; the later row was skipped")
                        .at_line(line)
                        .in_record(record)
                        .in_field("ent_num"),
                );
                continue;
            }
            let mut entry = ListEntry::new(ListCode::new("SDN"), record.clone(), name);
            entry.kind = match text::value(field(2)) {
                None => PartyKind::Entity,
                Some(kind) => PartyKind::parse(kind).unwrap_or_else(|| {
                    group.diagnostics.push(
                        Diagnostic::warning(
                            label,
                            format!("unknown SDN_Type `{kind}`; read as unknown"),
                        )
                        .at_line(line)
                        .in_record(record.clone())
                        .in_field("SDN_Type"),
                    );
                    PartyKind::Unknown
                }),
            };
            entry.programs = split_programs(field(3)).map(str::to_string).collect();
            if format == SourceFormat::OfacConsCsv {
                entry.list = ListCode::new(consolidated_list_code(&entry.programs));
            }
            entry.title = text::owned_value(field(4));
            if let Some(call_sign) = text::value(field(5)) {
                entry.ids.push(format!("Call Sign {call_sign}"));
            }
            if let Some(flag) = text::value(field(9)) {
                entry.ids.push(format!("Vessel Flag {flag}"));
            }
            entry.remarks = text::owned_value(field(11));
            group.index.insert(ent_num, group.entries.len());
            group.entries.push(entry);
        }
        group
    }

    /// Joins one companion file's rows into the entries.
    fn attach(&mut self, rows: CompanionRows) {
        let primary = self.labels.first().cloned().unwrap_or_default();
        let rows_label = rows.label;
        self.labels.push(rows_label.clone());
        self.diagnostics.extend(rows.diagnostics);
        let mut orphans = Vec::new();
        for row in rows.rows {
            let Some(&i) = self.index.get(&row.ent_num) else {
                orphans.push(row.ent_num);
                continue;
            };
            let Some(entry) = self.entries.get_mut(i) else {
                continue;
            };
            match row.detail {
                Detail::Address(address) => {
                    match (&address.country, row.country_text) {
                        (Some(code), _) => entry.push_country(code),
                        (None, Some(text)) => self.unknown_countries.note(&text),
                        (None, None) => {}
                    }
                    entry.addresses.push(address);
                }
                Detail::Name(text, kind) => entry.push_name(&text, kind),
                Detail::Overflow(overflow) => {
                    let remarks = entry.remarks.get_or_insert_with(String::new);
                    remarks.push_str(&overflow);
                }
                Detail::Nothing => {}
            }
        }
        if !orphans.is_empty() {
            let rows = orphans.len();
            orphans.sort_unstable();
            orphans.dedup();
            let first: Vec<String> = orphans.iter().take(5).map(u64::to_string).collect();
            self.diagnostics.push(
                Diagnostic::warning(
                    rows_label,
                    format!(
                        "{rows} row(s) for {} ent_num(s) not in `{primary}` (first: {}); not attached. The files may be from different dates",
                        orphans.len(),
                        first.join(", ")
                    ),
                )
                .in_field("ent_num"),
            );
        }
    }

    /// Harvests names, dates of birth and countries from the (now complete) remarks.
    fn finish(&mut self) {
        for entry in &mut self.entries {
            if let Some(remarks) = entry.remarks.clone() {
                harvest_remarks(entry, &remarks);
            }
        }
    }

    fn into_list_set(self) -> ListSet {
        let label = self.labels.join(" + ");
        let mut diagnostics = self.diagnostics;
        diagnostics.extend(self.unknown_countries.into_diagnostic(&label, "Country"));
        text::list_set(&label, self.format, None, self.entries, diagnostics)
    }
}

/// What one companion row adds to an entry.
enum Detail {
    Address(Address),
    Name(String, NameKind),
    Overflow(String),
    /// A row whose every value is null (OFAC writes address rows of `-0-`s).
    Nothing,
}

struct CompanionRow {
    ent_num: u64,
    detail: Detail,
    /// The country as written, when it could not be mapped.
    country_text: Option<String>,
}

impl CompanionRow {
    fn empty(ent_num: u64) -> Self {
        CompanionRow {
            ent_num,
            detail: Detail::Nothing,
            country_text: None,
        }
    }
}

/// One companion file, read.
struct CompanionRows {
    label: String,
    rows: Vec<CompanionRow>,
    diagnostics: Vec<Diagnostic>,
}

impl CompanionRows {
    fn read(file: InputFile<'_>, role: Role) -> CompanionRows {
        let label = file.label;
        let mut diagnostics = Vec::new();
        let mut rows_read = Vec::new();
        for (line, fields) in rows(file, role, &mut diagnostics) {
            let field = |i: usize| fields.get(i).map_or("", String::as_str);
            let Some(ent_num) = parse_ent_num(field(0)) else {
                diagnostics.push(
                    Diagnostic::error(
                        label,
                        format!("`{}` is not an ent_num; row skipped", field(0).trim()),
                    )
                    .at_line(line)
                    .in_field("ent_num"),
                );
                continue;
            };
            let (detail, country_text) = match role {
                Role::Primary => continue,
                Role::Addresses => {
                    let street = text::owned_value(field(2));
                    let city = text::owned_value(field(3));
                    let country_text = text::owned_value(field(4));
                    let country = country_text.as_deref().and_then(text::country_code);
                    let parts: Vec<&str> = [&street, &city, &country_text]
                        .into_iter()
                        .flatten()
                        .map(String::as_str)
                        .collect();
                    if parts.is_empty() {
                        rows_read.push(CompanionRow::empty(ent_num));
                        continue;
                    }
                    let address = Address {
                        full: Some(parts.join(", ")),
                        street,
                        city,
                        country: country.map(str::to_string),
                        ..Address::default()
                    };
                    let unmapped = country_text.filter(|_| country.is_none());
                    (Detail::Address(address), unmapped)
                }
                Role::Aliases => {
                    let Some(name) = text::value(field(3)) else {
                        rows_read.push(CompanionRow::empty(ent_num));
                        continue;
                    };
                    let alt_type = field(2).trim().to_ascii_lowercase();
                    let mut kind = match alt_type.as_str() {
                        "fka" => NameKind::FormerName,
                        "aka" | "nka" => NameKind::Alias,
                        other => {
                            diagnostics.push(
                                Diagnostic::warning(
                                    label,
                                    format!("unknown alt_type `{other}`; read as an alias"),
                                )
                                .at_line(line)
                                .in_record(ent_num.to_string())
                                .in_field("alt_type"),
                            );
                            NameKind::Alias
                        }
                    };
                    let quoted = name.len() > 2 && name.starts_with('\'') && name.ends_with('\'');
                    let weak_remark = field(4).to_ascii_lowercase().contains("weak");
                    if quoted || weak_remark {
                        kind = NameKind::WeakAlias;
                    }
                    let name = if quoted {
                        name.trim_matches('\'')
                    } else {
                        name
                    };
                    (Detail::Name(name.to_string(), kind), None)
                }
                Role::Comments => {
                    let Some(overflow) = fields.get(1).filter(|f| text::value(f).is_some()) else {
                        rows_read.push(CompanionRow::empty(ent_num));
                        continue;
                    };
                    (Detail::Overflow(overflow.trim_end().to_string()), None)
                }
            };
            rows_read.push(CompanionRow {
                ent_num,
                detail,
                country_text,
            });
        }
        CompanionRows {
            label: label.to_string(),
            rows: rows_read,
            diagnostics,
        }
    }

    fn ent_nums(&self) -> impl Iterator<Item = u64> + '_ {
        self.rows.iter().map(|r| r.ent_num)
    }
}

/// The decoded rows of one file that have the field count of `role`; other rows become error
/// diagnostics.
fn rows(
    file: InputFile<'_>,
    role: Role,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(u64, Vec<String>)> {
    let mut rows = Vec::new();
    for item in text::csv_records(file.bytes, b',') {
        let (line, record) = match item {
            Ok(item) => item,
            Err(error) => {
                diagnostics.push(text::unreadable_rest(file.label, &error));
                break;
            }
        };
        if record.len() != role.field_count() {
            let id = record
                .get(0)
                .map(|f| text::decode(f).text.trim().to_string());
            let d = Diagnostic::error(
                file.label,
                format!(
                    "the row has {} fields where OFAC's {} file has {}; skipped",
                    record.len(),
                    role.describe(),
                    role.field_count()
                ),
            )
            .at_line(line);
            diagnostics.push(match id.filter(|i| !i.is_empty()) {
                Some(id) => d.in_record(id),
                None => d,
            });
            continue;
        }
        rows.push((
            line,
            record
                .iter()
                .map(|f| text::decode(f).text.into_owned())
                .collect(),
        ));
    }
    rows
}

fn parse_ent_num(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// Harvests what OFAC writes in remarks: `a.k.a. 'X'` (weak alias), `f.k.a. 'X'` (former name),
/// `n.k.a. 'X'` (alias), `DOB ...`, `nationality X`, `citizen X`. Each is one `;`-separated part,
/// possibly prefixed `alt.`.
fn harvest_remarks(entry: &mut ListEntry, remarks: &str) {
    for part in remarks.split(';') {
        let part = part.trim();
        let part = part.strip_prefix("alt. ").unwrap_or(part).trim();
        let name_kind = if part.starts_with("a.k.a.") {
            Some(NameKind::WeakAlias)
        } else if part.starts_with("f.k.a.") {
            Some(NameKind::FormerName)
        } else if part.starts_with("n.k.a.") {
            Some(NameKind::Alias)
        } else {
            None
        };
        if let Some(kind) = name_kind {
            if let (Some(open), Some(close)) = (part.find('\''), part.rfind('\''))
                && let Some(name) = part.get(open + 1..close)
            {
                entry.push_name(name, kind);
            }
            continue;
        }
        if let Some(dob) = strip_prefix_ignore_case(part, "DOB ") {
            let dob = dob.trim().trim_end_matches('.');
            if !dob.is_empty() && !entry.dates_of_birth.iter().any(|d| d == dob) {
                entry.dates_of_birth.push(dob.to_string());
            }
            continue;
        }
        let country = strip_prefix_ignore_case(part, "nationality ")
            .or_else(|| strip_prefix_ignore_case(part, "citizen "));
        if let Some(code) = country.and_then(|c| text::country_code(c.trim_end_matches('.'))) {
            entry.push_country(code);
        }
    }
}

fn strip_prefix_ignore_case<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(label: &'a str, bytes: &'a [u8]) -> InputFile<'a> {
        InputFile { label, bytes }
    }

    const SDN: &[u8] = include_bytes!("../test_data/ofac/sdn.csv");
    const ADD: &[u8] = include_bytes!("../test_data/ofac/add.csv");
    const ALT: &[u8] = include_bytes!("../test_data/ofac/alt.csv");
    const COMMENTS: &[u8] = include_bytes!("../test_data/ofac/sdn_comments.csv");
    const CONS: &[u8] = include_bytes!("../test_data/ofac/cons_prim.csv");

    #[test]
    fn joins_the_sdn_group() {
        let files = [
            (file("sdn.csv", SDN), SourceFormat::OfacSdnCsv),
            (file("add.csv", ADD), SourceFormat::OfacSdnCsv),
            (file("alt.csv", ALT), SourceFormat::OfacSdnCsv),
            (file("sdn_comments.csv", COMMENTS), SourceFormat::OfacSdnCsv),
        ];
        let (set, errors) = parse_groups(&files);
        assert!(errors.is_empty(), "{errors:?}");
        insta::assert_yaml_snapshot!(set);
    }

    #[test]
    fn consolidated_list_codes_follow_programs() {
        let set = parse_single("cons_prim.csv", CONS, SourceFormat::OfacConsCsv).expect("readable");
        let codes: Vec<_> = set.entries.iter().map(|e| e.list.as_str()).collect();
        assert_eq!(
            codes,
            ["PLC", "SSI", "SSI", "CMIC", "CAP", "NS-MBS", "FSE", "CONS"]
        );
        assert_eq!(
            family_of("renamed.csv", CONS, Role::Primary),
            SourceFormat::OfacConsCsv
        );
        assert_eq!(
            family_of("renamed.csv", SDN, Role::Primary),
            SourceFormat::OfacSdnCsv
        );
    }

    #[test]
    fn programs_split_on_brackets() {
        let programs: Vec<_> = split_programs("SDGT] [IRGC] [IFSR").collect();
        assert_eq!(programs, ["SDGT", "IRGC", "IFSR"]);
        let programs: Vec<_> = split_programs("[CAATSA - RUSSIA]").collect();
        assert_eq!(programs, ["CAATSA - RUSSIA"]);
    }

    #[test]
    fn companion_alone_is_an_error() {
        let error = parse_single("add.csv", ADD, SourceFormat::OfacSdnCsv).expect_err("companion");
        assert!(matches!(error, IngestError::CompanionWithoutPrimary { .. }));
        let (_, errors) = parse_groups(&[(file("alt.csv", ALT), SourceFormat::OfacSdnCsv)]);
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn remarks_are_harvested() {
        let mut entry = ListEntry::new(ListCode::new("SDN"), "1", "X");
        harvest_remarks(
            &mut entry,
            "DOB circa 1946; alt. DOB 1949; nationality Iraq; a.k.a. 'BNC'; f.k.a. 'OLD NAME'; citizen Korea, North.",
        );
        assert_eq!(entry.dates_of_birth, ["circa 1946", "1949"]);
        assert_eq!(entry.countries, ["IQ", "KP"]);
        let names: Vec<_> = entry
            .names
            .iter()
            .map(|n| (n.text.as_str(), n.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("X", NameKind::Primary),
                ("BNC", NameKind::WeakAlias),
                ("OLD NAME", NameKind::FormerName)
            ]
        );
    }
}
