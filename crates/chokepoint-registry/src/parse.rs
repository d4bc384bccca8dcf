//! Reading registry files: the YAML format of `registry/` and the CSV format for users
//! (`crates/chokepoint-registry/FORMAT.md`), into a [`Registry`] plus every problem met.
//!
//! One bad record never drops a file: a record without its `id`/`name` (or `child`/`parent`) is
//! skipped, a bad value becomes *unknown* and is reported with its file, line, record and field.
//! A fact that decides the 744.23 classification (product, node, half-pitch, cell area, density,
//! TSVs, layers, transistor) is used only with a source: an unsourced one is reported and
//! dropped, so a classification never rests on an unsourced value.

use crate::model::{
    Confidence, Edge, EdgeOrigin, FacilityRecord, FacilityStatus, Fact, OwnerShare, PartialDate,
    Product, Registry, Relation, Source, Transistor,
};
use chokepoint_model::Diagnostic;
use serde_yaml::{Mapping, Value};
use std::collections::{BTreeMap, HashSet};

/// A whole file that cannot be read as a registry file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Neither a facility nor an ownership file.
    #[error(
        "`{file}` is not a registry file: expected YAML with `facilities:` or `edges:`, or CSV with an `id,name` (facilities) or `child,parent` (ownership) header"
    )]
    UnknownKind {
        /// File label.
        file: String,
    },
}

/// The fields whose value decides a 744.23 classification: used only when sourced.
pub const DECIDING_FIELDS: &[&str] = &[
    "product",
    "node_nm",
    "half_pitch_nm",
    "dram_cell_area_um2",
    "dram_density_gb_per_mm2",
    "tsv_per_die",
    "layers",
    "transistor",
];

/// Fields that need no fact entry.
const UNSOURCED_FIELDS: &[&str] = &["id", "name", "owners", "facts", "notes"];

/// Reads a registry file of either kind, in either format (YAML, or CSV when `label` ends in
/// `.csv`), deciding the kind from the content.
pub fn parse_file(label: &str, text: &str) -> Result<(Registry, Vec<Diagnostic>), RegistryError> {
    if label.to_ascii_lowercase().ends_with(".csv") {
        let header = text.lines().next().unwrap_or("").to_ascii_lowercase();
        let columns: Vec<&str> = header
            .trim_start_matches('\u{feff}')
            .split(',')
            .map(str::trim)
            .collect();
        if columns.contains(&"child") && columns.contains(&"parent") {
            return Ok(parse_ownership_csv(label, text));
        }
        if columns.contains(&"id") && columns.contains(&"name") {
            return Ok(parse_facilities_csv(label, text));
        }
        return Err(RegistryError::UnknownKind { file: label.into() });
    }
    let has_key = |key: &str| text.lines().any(|l| l.trim_end() == format!("{key}:"));
    if has_key("facilities") {
        Ok(parse_facilities_yaml(label, text))
    } else if has_key("edges") {
        Ok(parse_ownership_yaml(label, text))
    } else {
        Err(RegistryError::UnknownKind { file: label.into() })
    }
}

/// Finds the 1-based line where each item of the top-level list `key` starts.
fn item_lines(text: &str, key: &str) -> Vec<u64> {
    let mut lines = Vec::new();
    let mut inside = false;
    let mut indent: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        if !line.starts_with(' ') && !line.starts_with('-') && !line.trim().is_empty() {
            inside = line.trim_end() == format!("{key}:");
            continue;
        }
        if !inside {
            continue;
        }
        let trimmed = line.trim_start();
        let here = line.len() - trimmed.len();
        if trimmed.starts_with("- ") || trimmed == "-" {
            match indent {
                None => {
                    indent = Some(here);
                    lines.push(n as u64 + 1);
                }
                Some(i) if i == here => lines.push(n as u64 + 1),
                _ => {}
            }
        }
    }
    lines
}

/// Line of `field:` inside the record starting at `start` (before `end`), else `start`.
fn field_line(text: &str, start: Option<u64>, end: Option<u64>, field: &str) -> Option<u64> {
    let start = start?;
    let end = end.unwrap_or(u64::MAX);
    let prefix = format!("{field}:");
    text.lines()
        .enumerate()
        .skip(start as usize - 1)
        .take_while(|(n, _)| (*n as u64 + 1) < end)
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with(&prefix)
        })
        .map(|(n, _)| n as u64 + 1)
        .or(Some(start))
}

/// Where a record is: its file, its lines, its id; collects problems.
struct At<'a> {
    file: &'a str,
    text: &'a str,
    start: Option<u64>,
    end: Option<u64>,
    record: Option<String>,
    /// CSV rows: every field is on the row's line.
    single_line: bool,
    problems: &'a mut Vec<Diagnostic>,
}

impl At<'_> {
    fn line(&self, field: &str) -> Option<u64> {
        if self.single_line {
            self.start
        } else {
            field_line(self.text, self.start, self.end, field)
        }
    }

    fn problem(&mut self, error: bool, field: &str, message: String) {
        let mut d = if error {
            Diagnostic::error(self.file, message)
        } else {
            Diagnostic::warning(self.file, message)
        };
        if let Some(line) = self.line(field) {
            d = d.at_line(line);
        }
        if let Some(record) = &self.record {
            d = d.in_record(record.clone());
        }
        if !field.is_empty() {
            d = d.in_field(field);
        }
        self.problems.push(d);
    }

    fn string(&mut self, map: &Mapping, field: &str) -> Option<String> {
        match map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Bool(b)) => Some(b.to_string()),
            Some(_) => {
                self.problem(
                    true,
                    field,
                    "expected text; the value was left out (unknown)".into(),
                );
                None
            }
        }
    }

    fn strings(&mut self, map: &Mapping, field: &str) -> Vec<String> {
        match map.get(field) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Sequence(items)) => items
                .iter()
                .filter_map(|v| match v {
                    Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .collect(),
            Some(Value::String(s)) => s
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            Some(_) => {
                self.problem(true, field, "expected a list of text; left out".into());
                Vec::new()
            }
        }
    }

    fn number(&mut self, map: &Mapping, field: &str) -> Option<f64> {
        let value = match map.get(field) {
            None | Some(Value::Null) => return None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) if s.trim().is_empty() => return None,
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            Some(_) => None,
        };
        match value {
            Some(v) if v.is_finite() && v >= 0.0 => Some(v),
            _ => {
                let shown = map.get(field).map(show).unwrap_or_default();
                self.problem(
                    true,
                    field,
                    format!(
                        "`{shown}` is not a non-negative number; the fact is left unknown (write a number or null)"
                    ),
                );
                None
            }
        }
    }

    fn whole(&mut self, map: &Mapping, field: &str) -> Option<u64> {
        let v = self.number(map, field)?;
        if v.fract() != 0.0 || v > u32::MAX as f64 {
            self.problem(
                true,
                field,
                format!("`{v}` is not a whole number; the fact is left unknown"),
            );
            return None;
        }
        Some(v as u64)
    }

    fn date(&mut self, map: &Mapping, field: &str) -> Option<PartialDate> {
        let text = self.string(map, field)?;
        let date = PartialDate::parse(&text);
        if date.is_none() {
            self.problem(
                true,
                field,
                format!("`{text}` is not a date (write YYYY, YYYY-MM or YYYY-MM-DD)"),
            );
        }
        date
    }

    fn enumerated<T>(
        &mut self,
        map: &Mapping,
        field: &str,
        read: fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Option<T> {
        let text = self.string(map, field)?;
        let value = read(&text);
        if value.is_none() {
            self.problem(
                true,
                field,
                format!("`{text}` is not one of {allowed}; the fact is left unknown"),
            );
        }
        value
    }

    fn confidence(&mut self, map: &Mapping, field: &str) -> Option<Confidence> {
        self.enumerated(map, field, Confidence::from_name, "`high`, `medium`, `low`")
    }
}

fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

fn yaml_root(label: &str, text: &str, problems: &mut Vec<Diagnostic>) -> Option<Mapping> {
    match serde_yaml::from_str::<Value>(text) {
        Ok(Value::Mapping(map)) => Some(map),
        Ok(_) => {
            problems.push(Diagnostic::error(
                label,
                "the file is not a YAML mapping with `facilities:` or `edges:` at the top",
            ));
            None
        }
        Err(e) => {
            let mut d = Diagnostic::error(label, format!("not valid YAML: {e}"));
            if let Some(loc) = e.location() {
                d = d.at_line(loc.line() as u64);
            }
            problems.push(d);
            None
        }
    }
}

fn yaml_items<'a>(
    root: &'a Mapping,
    key: &str,
    label: &str,
    problems: &mut Vec<Diagnostic>,
) -> &'a [Value] {
    match root.get(key) {
        Some(Value::Sequence(items)) => items,
        None | Some(Value::Null) => &[],
        Some(_) => {
            problems
                .push(Diagnostic::error(label, format!("`{key}` must be a list")).in_field(key));
            &[]
        }
    }
}

fn parse_sources(
    root: &Mapping,
    label: &str,
    text: &str,
    problems: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Source> {
    let mut out = BTreeMap::new();
    let Some(Value::Mapping(sources)) = root.get("sources") else {
        return out;
    };
    for (key, value) in sources {
        let key = show(key);
        let start = text
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("{key}:")))
            .map(|n| n as u64 + 1);
        let mut at = At {
            file: label,
            text,
            start,
            end: None,
            record: Some(key.clone()),
            single_line: true,
            problems,
        };
        let Value::Mapping(map) = value else {
            at.problem(
                true,
                "",
                "a source must be a mapping with `publication`".into(),
            );
            continue;
        };
        let Some(publication) = at.string(map, "publication") else {
            at.problem(true, "publication", "a source needs a `publication`".into());
            continue;
        };
        let source = Source {
            publication,
            title: at.string(map, "title"),
            date: at.date(map, "date"),
            url: at.string(map, "url"),
            path: at.string(map, "path"),
            note: at.string(map, "note"),
        };
        out.insert(key, source);
    }
    out
}

fn parse_fact(at: &mut At<'_>, field: &str, value: &Value) -> Option<Fact> {
    let Value::Mapping(map) = value else {
        at.problem(
            true,
            field,
            "a fact entry must be a mapping `{source, confidence}`".into(),
        );
        return None;
    };
    let sources = at.strings(map, "source");
    if sources.is_empty() {
        at.problem(true, field, "the fact entry names no `source`".into());
        return None;
    }
    let Some(confidence) = at.confidence(map, "confidence") else {
        at.problem(
            true,
            field,
            "the fact entry has no valid `confidence` (`high`, `medium`, `low`)".into(),
        );
        return None;
    };
    Some(Fact {
        sources,
        confidence,
        as_of: at.date(map, "as_of"),
        note: at.string(map, "note"),
    })
}

fn facility_from_map(at: &mut At<'_>, map: &Mapping) -> Option<FacilityRecord> {
    let id = at.string(map, "id");
    at.record = id.clone();
    let Some(id) = id else {
        at.problem(
            true,
            "id",
            "the facility has no `id`; it was skipped".into(),
        );
        return None;
    };
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        at.problem(
            true,
            "id",
            format!("`{id}` is not a slug (lower-case letters, digits and `-`); it was skipped"),
        );
        return None;
    }
    let Some(name) = at.string(map, "name") else {
        at.problem(
            true,
            "name",
            "the facility has no `name`; it was skipped".into(),
        );
        return None;
    };
    let mut facts = BTreeMap::new();
    match map.get("facts") {
        Some(Value::Mapping(entries)) => {
            for (field, value) in entries {
                let field = show(field);
                if let Some(fact) = parse_fact(at, &field, value) {
                    facts.insert(field, fact);
                }
            }
        }
        None | Some(Value::Null) => {}
        Some(_) => at.problem(true, "facts", "`facts` must be a mapping".into()),
    }
    let country = at.string(map, "country").and_then(|c| {
        let upper = c.to_ascii_uppercase();
        if upper.len() == 2 && upper.chars().all(|ch| ch.is_ascii_uppercase()) {
            Some(upper)
        } else {
            at.problem(
                true,
                "country",
                format!("`{c}` is not an ISO 3166-1 alpha-2 code (`CN`, `TW`...); left unknown"),
            );
            None
        }
    });
    let mut owners = Vec::new();
    if let Some(Value::Sequence(rows)) = map.get("owners") {
        for row in rows {
            let Value::Mapping(row) = row else {
                at.problem(true, "owners", "an owner row must be a mapping".into());
                continue;
            };
            let Some(owner) = at.string(row, "owner") else {
                at.problem(true, "owners", "an owner row has no `owner`".into());
                continue;
            };
            let percent = at.number(row, "percent");
            if percent.is_some_and(|p| p > 100.0) {
                at.problem(true, "owners", format!("`{owner}`: a share above 100 %"));
                continue;
            }
            owners.push(OwnerShare {
                owner,
                percent,
                as_of: at.date(row, "as_of"),
                sources: at.strings(row, "source"),
                confidence: at.confidence(row, "confidence"),
            });
        }
    }
    let whole32 = |at: &mut At<'_>, field: &str| at.whole(map, field).map(|v| v as u32);
    let mut record = FacilityRecord {
        aliases: at.strings(map, "aliases"),
        operator: at.string(map, "operator"),
        operator_entity_list_name: at.string(map, "operator_entity_list_name"),
        owners,
        city: at.string(map, "city"),
        country,
        product: at.enumerated(
            map,
            "product",
            Product::from_name,
            "`logic`, `dram`, `nand`, `memory`, `foundry_mixed`, `analog_power`, `back_end`, `other`",
        ),
        process: at.string(map, "process"),
        node_nm: at.number(map, "node_nm"),
        planned_node_nm: at.number(map, "planned_node_nm"),
        half_pitch_nm: at.number(map, "half_pitch_nm"),
        dram_cell_area_um2: at.number(map, "dram_cell_area_um2"),
        dram_density_gb_per_mm2: at.number(map, "dram_density_gb_per_mm2"),
        tsv_per_die: whole32(at, "tsv_per_die"),
        layers: whole32(at, "layers"),
        layers_total: whole32(at, "layers_total"),
        transistor: at.enumerated(
            map,
            "transistor",
            Transistor::from_name,
            "`planar`, `finfet`, `gaa`",
        ),
        wafer_mm: whole32(at, "wafer_mm"),
        status: at.enumerated(
            map,
            "status",
            FacilityStatus::from_name,
            "`planned`, `construction`, `ramping`, `producing`, `closed`",
        ),
        capacity_wpm: at.whole(map, "capacity_wpm"),
        notes: at.string(map, "notes"),
        facts,
        id,
        name,
        file: at.file.to_string(),
        line: at.start,
    };
    check_facts(at, &mut record);
    Some(record)
}

/// Every known field has a fact, and no unknown one does; unsourced deciding facts are dropped.
fn check_facts(at: &mut At<'_>, record: &mut FacilityRecord) {
    let known: Vec<(&'static str, bool)> = vec![
        ("aliases", !record.aliases.is_empty()),
        ("operator", record.operator.is_some()),
        (
            "operator_entity_list_name",
            record.operator_entity_list_name.is_some(),
        ),
        ("city", record.city.is_some()),
        ("country", record.country.is_some()),
        ("product", record.product.is_some()),
        ("process", record.process.is_some()),
        ("node_nm", record.node_nm.is_some()),
        ("planned_node_nm", record.planned_node_nm.is_some()),
        ("half_pitch_nm", record.half_pitch_nm.is_some()),
        ("dram_cell_area_um2", record.dram_cell_area_um2.is_some()),
        (
            "dram_density_gb_per_mm2",
            record.dram_density_gb_per_mm2.is_some(),
        ),
        ("tsv_per_die", record.tsv_per_die.is_some()),
        ("layers", record.layers.is_some()),
        ("layers_total", record.layers_total.is_some()),
        ("transistor", record.transistor.is_some()),
        ("wafer_mm", record.wafer_mm.is_some()),
        ("status", record.status.is_some()),
        ("capacity_wpm", record.capacity_wpm.is_some()),
    ];
    for (field, present) in &known {
        let has_fact = record.facts.contains_key(*field);
        if *present && !has_fact {
            if DECIDING_FIELDS.contains(field) {
                at.problem(
                    true,
                    field,
                    "the value has no `facts` entry (source and confidence); it was not used and the fact is unknown".into(),
                );
                match *field {
                    "product" => record.product = None,
                    "node_nm" => record.node_nm = None,
                    "half_pitch_nm" => record.half_pitch_nm = None,
                    "dram_cell_area_um2" => record.dram_cell_area_um2 = None,
                    "dram_density_gb_per_mm2" => record.dram_density_gb_per_mm2 = None,
                    "tsv_per_die" => record.tsv_per_die = None,
                    "layers" => record.layers = None,
                    _ => record.transistor = None,
                }
            } else {
                at.problem(
                    false,
                    field,
                    "the value has no `facts` entry (source and confidence)".into(),
                );
            }
        } else if !*present && has_fact {
            at.problem(
                false,
                field,
                "a `facts` entry for a field that is null (unknown); the entry was dropped".into(),
            );
            record.facts.remove(*field);
        }
    }
    let extra: Vec<String> = record
        .facts
        .keys()
        .filter(|k| !known.iter().any(|(f, _)| f == k) && !UNSOURCED_FIELDS.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in extra {
        at.problem(
            false,
            &key,
            format!("`facts` names `{key}`, which is not a facility field"),
        );
    }
}

/// Reads a facility file in the YAML format of `registry/facilities.yaml`.
pub fn parse_facilities_yaml(label: &str, text: &str) -> (Registry, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut registry = Registry::default();
    let Some(root) = yaml_root(label, text, &mut problems) else {
        return (registry, problems);
    };
    let lines = item_lines(text, "facilities");
    let items = yaml_items(&root, "facilities", label, &mut problems);
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let mut at = At {
            file: label,
            text,
            start: lines.get(i).copied(),
            end: lines.get(i + 1).copied(),
            record: None,
            single_line: false,
            problems: &mut problems,
        };
        let Value::Mapping(map) = item else {
            at.problem(true, "", "a facility must be a mapping".into());
            continue;
        };
        if let Some(record) = facility_from_map(&mut at, map) {
            if !seen.insert(record.id.clone()) {
                at.problem(
                    true,
                    "id",
                    format!("duplicate id `{}`; this record was skipped", record.id),
                );
                continue;
            }
            registry.facilities.push(record);
        }
    }
    registry.sources = parse_sources(&root, label, text, &mut problems);
    (registry, problems)
}

fn edge_from_map(at: &mut At<'_>, map: &Mapping) -> Option<Edge> {
    let child = at.string(map, "child");
    let parent = at.string(map, "parent");
    at.record = match (&child, &parent) {
        (Some(c), Some(p)) => Some(format!("{p} -> {c}")),
        _ => None,
    };
    let (Some(child), Some(parent)) = (child, parent) else {
        at.problem(
            true,
            "",
            "an edge needs both `child` and `parent`; it was skipped".into(),
        );
        return None;
    };
    let relation_text = at.string(map, "relation").unwrap_or_else(|| "owns".into());
    let percent = at.number(map, "percent");
    if let Some(p) = percent
        && p > 100.0
    {
        at.problem(
            true,
            "percent",
            format!("`{p}` is above 100 %; the edge was skipped"),
        );
        return None;
    }
    let sources = at.strings(map, "source");
    if sources.is_empty() {
        at.problem(
            false,
            "source",
            "the edge names no `source`; it is kept but unsourced".into(),
        );
    }
    Some(Edge {
        child,
        child_entity_list_name: at.string(map, "child_entity_list_name"),
        parent,
        parent_entity_list_name: at.string(map, "parent_entity_list_name"),
        relation: Relation::from_text(&relation_text),
        relation_text,
        percent,
        as_of: at.date(map, "as_of"),
        sources,
        confidence: at.confidence(map, "confidence"),
        note: at.string(map, "note"),
        origin: EdgeOrigin::Ownership {
            file: at.file.to_string(),
            line: at.start,
        },
    })
}

/// Warns where the dated shares of one child add up to more than 100 %.
fn check_totals(label: &str, edges: &[Edge], problems: &mut Vec<Diagnostic>) {
    let mut totals: BTreeMap<(String, Option<PartialDate>), f64> = BTreeMap::new();
    for edge in edges.iter().filter(|e| e.relation == Relation::Owns) {
        *totals.entry((edge.child.clone(), edge.as_of)).or_default() += edge.percent.unwrap_or(0.0);
    }
    for ((child, as_of), total) in totals {
        if total > 100.0 + 1e-6 {
            let when = as_of
                .map(|d| d.to_string())
                .unwrap_or_else(|| "undated".into());
            problems.push(
                Diagnostic::warning(
                    label,
                    format!(
                        "the shares of `{child}` as of {when} add up to {total} %, above 100 %"
                    ),
                )
                .in_field("percent"),
            );
        }
    }
}

/// Reads an ownership file in the YAML format of `registry/ownership.yaml`.
pub fn parse_ownership_yaml(label: &str, text: &str) -> (Registry, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut registry = Registry::default();
    let Some(root) = yaml_root(label, text, &mut problems) else {
        return (registry, problems);
    };
    let lines = item_lines(text, "edges");
    let items = yaml_items(&root, "edges", label, &mut problems);
    for (i, item) in items.iter().enumerate() {
        let mut at = At {
            file: label,
            text,
            start: lines.get(i).copied(),
            end: lines.get(i + 1).copied(),
            record: None,
            single_line: false,
            problems: &mut problems,
        };
        let Value::Mapping(map) = item else {
            at.problem(true, "", "an edge must be a mapping".into());
            continue;
        };
        if let Some(edge) = edge_from_map(&mut at, map) {
            registry.edges.push(edge);
        }
    }
    check_totals(label, &registry.edges, &mut problems);
    registry.sources = parse_sources(&root, label, text, &mut problems);
    (registry, problems)
}

/// CSV rows as YAML mappings (empty cells are null), with their 1-based line.
fn csv_rows(label: &str, text: &str, problems: &mut Vec<Diagnostic>) -> Vec<(u64, Mapping)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_ascii_lowercase()).collect(),
        Err(e) => {
            problems
                .push(Diagnostic::error(label, format!("cannot read the header: {e}")).at_line(1));
            return Vec::new();
        }
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                if record.len() > headers.len() {
                    problems.push(
                        Diagnostic::error(
                            label,
                            format!(
                                "{} cells for {} columns; the row was skipped",
                                record.len(),
                                headers.len()
                            ),
                        )
                        .at_line(line),
                    );
                    continue;
                }
                let mut map = Mapping::new();
                for (header, cell) in headers.iter().zip(record.iter()) {
                    let value = if cell.is_empty() {
                        Value::Null
                    } else {
                        Value::String(cell.to_string())
                    };
                    map.insert(Value::String(header.clone()), value);
                }
                rows.push((line, map));
            }
            Err(e) => {
                let mut d = Diagnostic::error(label, format!("unreadable row: {e}"));
                if let Some(p) = e.position() {
                    d = d.at_line(p.line());
                }
                problems.push(d);
            }
        }
    }
    rows
}

/// The source a CSV row cites: its `source` cell, with `source_url` and `source_date`.
fn csv_source(at: &mut At<'_>, row: &Mapping) -> Option<(String, Source)> {
    let publication = at.string(row, "source")?;
    let source = Source {
        publication: publication.clone(),
        title: None,
        date: at.date(row, "source_date"),
        url: at.string(row, "source_url"),
        path: None,
        note: Some(format!("user file `{}`", at.file)),
    };
    Some((publication, source))
}

/// Reads a user facility CSV (`crates/chokepoint-registry/FORMAT.md`): one facility per row;
/// every value of a row is sourced by the row's `source` with its `confidence`.
pub fn parse_facilities_csv(label: &str, text: &str) -> (Registry, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut registry = Registry::default();
    let rows = csv_rows(label, text, &mut problems);
    let mut seen = HashSet::new();
    for (line, mut row) in rows {
        let mut at = At {
            file: label,
            text,
            start: Some(line),
            end: None,
            record: None,
            single_line: true,
            problems: &mut problems,
        };
        at.record = at.string(&row, "id");
        let source = csv_source(&mut at, &row);
        let confidence = at.confidence(&row, "confidence").unwrap_or(Confidence::Low);
        let confidence_name = match confidence {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        };
        if let Some((key, source)) = &source {
            let mut facts = Mapping::new();
            for (field, value) in &row {
                let field = show(field);
                if value.is_null()
                    || UNSOURCED_FIELDS.contains(&field.as_str())
                    || matches!(
                        field.as_str(),
                        "source" | "source_url" | "source_date" | "confidence"
                    )
                {
                    continue;
                }
                let mut fact = Mapping::new();
                fact.insert("source".into(), Value::String(key.clone()));
                fact.insert("confidence".into(), confidence_name.into());
                facts.insert(Value::String(field), Value::Mapping(fact));
            }
            row.insert("facts".into(), Value::Mapping(facts));
            registry.sources.insert(key.clone(), source.clone());
        } else {
            at.problem(
                true,
                "source",
                "the row names no `source`; its classification facts are not used".into(),
            );
        }
        if let Some(record) = facility_from_map(&mut at, &row) {
            if !seen.insert(record.id.clone()) {
                at.problem(
                    true,
                    "id",
                    format!("duplicate id `{}`; this row was skipped", record.id),
                );
                continue;
            }
            registry.facilities.push(record);
        }
    }
    (registry, problems)
}

/// Reads a user ownership CSV: `child,parent,percent,relation,as_of,source,...` per row.
pub fn parse_ownership_csv(label: &str, text: &str) -> (Registry, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let mut registry = Registry::default();
    for (line, mut row) in csv_rows(label, text, &mut problems) {
        let mut at = At {
            file: label,
            text,
            start: Some(line),
            end: None,
            record: None,
            single_line: true,
            problems: &mut problems,
        };
        let source = csv_source(&mut at, &row);
        if let Some((key, source)) = source {
            row.insert("source".into(), Value::String(key.clone()));
            registry.sources.insert(key, source);
        }
        if let Some(edge) = edge_from_map(&mut at, &row) {
            registry.edges.push(edge);
        }
    }
    check_totals(label, &registry.edges, &mut problems);
    (registry, problems)
}

/// Problems with source keys across a merged registry: a cited key missing from every
/// `sources` table.
pub fn check_source_keys(registry: &Registry) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for facility in &registry.facilities {
        for (field, fact) in &facility.facts {
            for key in &fact.sources {
                if !registry.sources.contains_key(key) {
                    let mut d = Diagnostic::warning(
                        facility.file.clone(),
                        format!("source `{key}` is not in any `sources` table"),
                    )
                    .in_record(facility.id.clone())
                    .in_field(field.clone());
                    if let Some(line) = facility.line {
                        d = d.at_line(line);
                    }
                    problems.push(d);
                }
            }
        }
    }
    for edge in &registry.edges {
        for key in &edge.sources {
            if !registry.sources.contains_key(key)
                && let EdgeOrigin::Ownership { file, line } = &edge.origin
            {
                let mut d = Diagnostic::warning(
                    file.clone(),
                    format!("source `{key}` is not in any `sources` table"),
                )
                .in_record(format!("{} -> {}", edge.parent, edge.child))
                .in_field("source");
                if let Some(line) = line {
                    d = d.at_line(*line);
                }
                problems.push(d);
            }
        }
    }
    problems
}
