//! Reading a bill of materials from CSV or JSON text into [`BomLine`]s, with every problem found.
//!
//! Both formats carry the same fields (see `FORMAT.md`). Each row is read on its own: a bad value
//! becomes a [`BomProblem`] naming the row (CSV line or JSON index), the part and the field, and
//! reading goes on, so one run reports everything. Money and quantities are exact decimals
//! (`rust_decimal`), never floats; a JSON number is read from its shortest round-trip text.

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Shared text: a BOM repeats countries, currencies and ECCNs a million times.
pub type Text = Arc<str>;

/// Where a line came from: a CSV line (1-based, the header is line 1) or a JSON array index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Row {
    /// CSV line number.
    Line(u64),
    /// Index in the JSON `lines` array.
    Index(usize),
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Row::Line(n) => write!(f, "line {n}"),
            Row::Index(i) => write!(f, "lines[{i}]"),
        }
    }
}

impl Serialize for Row {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A stated list of US ECCNs (technology, software or plant) a part is the direct product of.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(untagged)]
pub enum DirectProduct {
    /// Not stated: unknown, never taken as "no".
    #[default]
    Unknown,
    /// Stated (empty when the input says `none`).
    Stated(Vec<String>),
}

impl DirectProduct {
    /// `Some(true)` when some ECCN is stated, `Some(false)` for `none`, `None` when unknown.
    pub fn any(&self) -> Option<bool> {
        match self {
            DirectProduct::Unknown => None,
            DirectProduct::Stated(v) => Some(!v.is_empty()),
        }
    }

    /// The stated ECCNs (empty when unknown or none).
    pub fn eccns(&self) -> &[String] {
        match self {
            DirectProduct::Unknown => &[],
            DirectProduct::Stated(v) => v,
        }
    }
}

/// One line of the bill of materials, as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BomLine {
    /// Where it came from.
    pub row: Row,
    /// The part's id, unique in the file.
    pub part_id: Text,
    /// The parent's part id; `None` for the exported product.
    pub parent_id: Option<Text>,
    /// Units per one unit of the parent.
    pub quantity: Decimal,
    /// Value of one unit, in `currency` (for the product: its sale price).
    pub unit_value: Decimal,
    /// ISO 4217 code (`USD`, `EUR`...).
    pub currency: Text,
    /// ISO-2 country of origin.
    pub origin_country: Text,
    /// ECCN (`3A001.a.1`, `EAR99`); `None` when not classified.
    pub eccn: Option<Text>,
    /// Free text.
    pub description: Option<Text>,
    /// ECCNs of US technology or software the part is a direct product of.
    pub direct_product_of: DirectProduct,
    /// ECCNs of US technology or software the plant that made the part is a direct product of.
    pub plant_is_direct_product_of: DirectProduct,
    /// ISO-2 country where the part was made or incorporated (for the product: where it is
    /// exported from; defaults to `origin_country`).
    pub incorporated_in: Option<String>,
    /// Whether the part is a US-origin integrated circuit (`None`: not stated).
    pub us_origin_ic: Option<bool>,
}

/// A problem with the input, naming the row, the part and the field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct BomProblem {
    /// The row (`None` for problems of the whole file, such as a missing product row).
    pub row: Option<Row>,
    /// The part id, when known.
    pub part_id: Option<String>,
    /// The field, when one is at fault.
    pub field: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for BomProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "{row}")?,
            None => write!(f, "BOM")?,
        }
        if let Some(p) = &self.part_id {
            write!(f, " (part `{p}`)")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": {field}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl BomProblem {
    pub(crate) fn at(row: Row, part: &str, field: Option<&str>, message: String) -> BomProblem {
        BomProblem {
            row: Some(row),
            part_id: (!part.is_empty()).then(|| part.to_string()),
            field: field.map(str::to_string),
            message,
        }
    }
}

/// A bill of materials: its lines and the currency rates given with it.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Bom {
    /// Lines in input order.
    pub lines: Vec<BomLine>,
    /// `CUR` → USD per unit (`EUR` → 1.08 means 1 EUR = 1.08 USD).
    pub rates: BTreeMap<String, Decimal>,
}

/// The CSV columns, in the documented order; the first eight are required.
pub const COLUMNS: &[&str] = &[
    "part_id",
    "parent_id",
    "quantity",
    "unit_value",
    "currency",
    "origin_country",
    "eccn",
    "description",
    "direct_product_of",
    "plant_is_direct_product_of",
    "incorporated_in",
    "us_origin_ic",
];
const REQUIRED: usize = 8;

/// Parses one `CUR=RATE` currency rate (`EUR=1.08`: 1 EUR = 1.08 USD).
pub fn parse_rate(text: &str) -> Result<(String, Decimal), String> {
    let Some((code, rate)) = text.split_once('=') else {
        return Err(format!("`{text}` is not a rate (expected like `EUR=1.08`)"));
    };
    let code = code.trim().to_ascii_uppercase();
    if !is_currency_code(&code) {
        return Err(format!(
            "`{code}` is not a currency code (three letters, like EUR)"
        ));
    }
    match Decimal::from_str(rate.trim()) {
        Ok(r) if r > Decimal::ZERO => Ok((code, r)),
        Ok(_) => Err(format!(
            "the rate for {code} must be positive, not `{}`",
            rate.trim()
        )),
        Err(_) => Err(format!("`{}` is not a decimal number", rate.trim())),
    }
}

fn is_currency_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// Reads the text fields of one row into a line; problems go to `problems`.
struct RowReader<'a> {
    row: Row,
    part: &'a str,
    problems: &'a mut Vec<BomProblem>,
    /// ECCN text → normalised ECCN (`None`: malformed); a BOM repeats few ECCNs many times.
    eccns: &'a mut HashMap<String, Option<Text>>,
    /// Interned short texts (countries, currencies).
    texts: &'a mut HashMap<String, Text>,
}

impl RowReader<'_> {
    fn problem(&mut self, field: &str, message: String) {
        let p = BomProblem::at(self.row, self.part, Some(field), message);
        self.problems.push(p);
    }

    fn decimal(&mut self, field: &str, text: &str) -> Decimal {
        let t = text.trim();
        if t.is_empty() {
            self.problem(field, "missing (a decimal number is required)".into());
            return Decimal::ZERO;
        }
        match Decimal::from_str(t).or_else(|_| Decimal::from_scientific(t)) {
            Ok(d) if d.is_sign_negative() && !d.is_zero() => {
                self.problem(field, format!("`{t}` is negative"));
                Decimal::ZERO
            }
            Ok(d) => d,
            Err(_) => {
                self.problem(field, format!("`{t}` is not a decimal number"));
                Decimal::ZERO
            }
        }
    }

    fn country(&mut self, field: &str, text: &str, required: bool) -> Option<Text> {
        let t = text.trim();
        // Only valid two-letter codes are interned (currencies have three letters).
        if t.len() == 2
            && let Some(hit) = self.texts.get(t)
        {
            return Some(hit.clone());
        }
        if t.is_empty() {
            if required {
                self.problem(field, "missing (an ISO-2 country code is required)".into());
            }
            return None;
        }
        let code = t.to_ascii_uppercase();
        if code.len() != 2 || !chokepoint_model::country::is_known_code(&code) {
            self.problem(field, format!("`{t}` is not an ISO-2 country code"));
            return None;
        }
        Some(self.intern(&code))
    }

    fn intern(&mut self, text: &str) -> Text {
        if let Some(t) = self.texts.get(text) {
            return t.clone();
        }
        let t = Text::from(text);
        self.texts.insert(text.to_string(), t.clone());
        t
    }

    fn eccn(&mut self, field: &str, text: &str) -> Option<Text> {
        let t = text.trim();
        if t.is_empty() {
            return None;
        }
        let parsed = match self.eccns.get(t) {
            Some(hit) => hit.clone(),
            None => {
                let parsed =
                    chokepoint_rules::eccn::Eccn::parse(t).map(|e| Text::from(e.to_string()));
                self.eccns.insert(t.to_string(), parsed.clone());
                parsed
            }
        };
        match parsed {
            Some(e) => Some(e),
            None => {
                self.problem(
                    field,
                    format!("`{t}` is not an ECCN (expected like 3A001.a.1 or EAR99)"),
                );
                None
            }
        }
    }

    fn direct_product(&mut self, field: &str, text: &str) -> DirectProduct {
        let t = text.trim();
        if t.is_empty() {
            return DirectProduct::Unknown;
        }
        if t.eq_ignore_ascii_case("none") {
            return DirectProduct::Stated(Vec::new());
        }
        let mut out = Vec::new();
        for piece in t
            .split([';', '|', ',', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            if let Some(e) = self.eccn(field, piece)
                && &*e != "EAR99"
            {
                out.push(e.to_string());
            } else if piece.trim().eq_ignore_ascii_case("EAR99") {
                self.problem(
                    field,
                    "EAR99 is not a technology or software ECCN here".into(),
                );
            }
        }
        DirectProduct::Stated(out)
    }

    fn boolean(&mut self, field: &str, text: &str) -> Option<bool> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" => None,
            "true" | "yes" | "y" | "1" => Some(true),
            "false" | "no" | "n" | "0" => Some(false),
            other => {
                self.problem(field, format!("`{other}` is not true or false"));
                None
            }
        }
    }

    /// `fields` in [`COLUMNS`] order (missing optional ones as "").
    fn line(mut self, fields: [&str; 12]) -> BomLine {
        let [
            part_id,
            parent_id,
            quantity,
            unit_value,
            currency,
            origin,
            eccn,
            description,
            dp,
            plant,
            inc,
            ic,
        ] = fields;
        if part_id.trim().is_empty() {
            self.problem("part_id", "missing (every line needs a part id)".into());
        }
        let quantity = self.decimal("quantity", quantity);
        let unit_value = self.decimal("unit_value", unit_value);
        let currency_raw = currency.trim();
        let currency_text = match self.texts.get(currency_raw) {
            // Only valid three-letter codes are interned.
            Some(hit) if hit.len() == 3 => hit.clone(),
            _ => {
                let code = currency_raw.to_ascii_uppercase();
                if is_currency_code(&code) {
                    self.intern(&code)
                } else {
                    self.problem(
                        "currency",
                        format!(
                            "`{currency_raw}` is not a currency code (three letters, like USD)"
                        ),
                    );
                    Text::from(code)
                }
            }
        };
        let origin_country = self
            .country("origin_country", origin, true)
            .unwrap_or_else(|| Text::from(""));
        let eccn = self.eccn("eccn", eccn);
        let direct_product_of = self.direct_product("direct_product_of", dp);
        let plant_is_direct_product_of = self.direct_product("plant_is_direct_product_of", plant);
        let incorporated_in = self
            .country("incorporated_in", inc, false)
            .map(|c| c.to_string());
        let us_origin_ic = self.boolean("us_origin_ic", ic);
        let parent = parent_id.trim();
        BomLine {
            row: self.row,
            part_id: Text::from(part_id.trim()),
            parent_id: (!parent.is_empty()).then(|| Text::from(parent)),
            quantity,
            unit_value,
            currency: currency_text,
            origin_country,
            eccn,
            description: (!description.trim().is_empty()).then(|| Text::from(description.trim())),
            direct_product_of,
            plant_is_direct_product_of,
            incorporated_in,
            us_origin_ic,
        }
    }
}

/// Parses CSV text (header row naming the columns, any order; extra columns ignored).
pub fn parse_csv(text: &str) -> (Bom, Vec<BomProblem>) {
    let mut problems = Vec::new();
    let mut bom = Bom::default();
    // Fields are trimmed where they are read (cheaper than the reader trimming every record).
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push(BomProblem {
                row: Some(Row::Line(1)),
                part_id: None,
                field: None,
                message: format!("cannot read the header: {e}"),
            });
            return (bom, problems);
        }
    };
    let mut index = [usize::MAX; 12];
    for (i, name) in header.iter().enumerate() {
        let name = name
            .trim()
            .trim_start_matches('\u{feff}')
            .to_ascii_lowercase();
        if let Some(c) = COLUMNS.iter().position(|c| *c == name) {
            index[c] = i;
        }
    }
    let missing: Vec<&str> = (0..REQUIRED)
        .filter(|&c| index[c] == usize::MAX)
        .map(|c| COLUMNS[c])
        .collect();
    if !missing.is_empty() {
        problems.push(BomProblem {
            row: Some(Row::Line(1)),
            part_id: None,
            field: None,
            message: format!(
                "the header lacks the column(s) {} (required: {})",
                missing.join(", "),
                COLUMNS[..REQUIRED].join(",")
            ),
        });
        return (bom, problems);
    }
    let mut record = csv::StringRecord::new();
    bom.lines
        .reserve(text.as_bytes().iter().filter(|&&b| b == b'\n').count());
    let mut eccns = HashMap::new();
    let mut interned = HashMap::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                problems.push(BomProblem {
                    row: Some(Row::Line(line)),
                    part_id: None,
                    field: None,
                    message: format!("cannot read the row: {e}"),
                });
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
                continue;
            }
        }
        let line = record.position().map_or(0, csv::Position::line);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |c: usize| record.get(index[c]).unwrap_or("");
        let fields: [&str; 12] = std::array::from_fn(field);
        let reader = RowReader {
            row: Row::Line(line),
            part: fields[0].trim(),
            problems: &mut problems,
            eccns: &mut eccns,
            texts: &mut interned,
        };
        bom.lines.push(reader.line(fields));
    }
    (bom, problems)
}

/// Parses JSON text: `{"rates": {"EUR": "1.08"}, "lines": [LINE...]}` or a bare `[LINE...]`.
pub fn parse_json(text: &str) -> (Bom, Vec<BomProblem>) {
    let mut problems = Vec::new();
    let mut bom = Bom::default();
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            problems.push(BomProblem {
                row: None,
                part_id: None,
                field: None,
                message: format!("not valid JSON: {e}"),
            });
            return (bom, problems);
        }
    };
    let (lines, rates) = match &value {
        serde_json::Value::Array(lines) => (lines.as_slice(), None),
        serde_json::Value::Object(o) => match o.get("lines") {
            Some(serde_json::Value::Array(lines)) => (lines.as_slice(), o.get("rates")),
            _ => {
                problems.push(BomProblem {
                    row: None,
                    part_id: None,
                    field: Some("lines".into()),
                    message: "expected an array `lines` of BOM lines".into(),
                });
                return (bom, problems);
            }
        },
        _ => {
            problems.push(BomProblem {
                row: None,
                part_id: None,
                field: None,
                message:
                    "expected an object with `lines` (and optional `rates`) or an array of lines"
                        .into(),
            });
            return (bom, problems);
        }
    };
    match rates {
        None | Some(serde_json::Value::Null) => {}
        Some(serde_json::Value::Object(r)) => {
            for (code, rate) in r {
                match parse_rate(&format!("{code}={}", scalar_text(rate))) {
                    Ok((c, r)) => {
                        bom.rates.insert(c, r);
                    }
                    Err(m) => problems.push(BomProblem {
                        row: None,
                        part_id: None,
                        field: Some(format!("rates.{code}")),
                        message: m,
                    }),
                }
            }
        }
        Some(_) => problems.push(BomProblem {
            row: None,
            part_id: None,
            field: Some("rates".into()),
            message: "expected an object like {\"EUR\": \"1.08\"}".into(),
        }),
    }
    let mut eccns = HashMap::new();
    let mut interned = HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        let row = Row::Index(i);
        let serde_json::Value::Object(o) = line else {
            problems.push(BomProblem {
                row: Some(row),
                part_id: None,
                field: None,
                message: "expected an object".into(),
            });
            continue;
        };
        for key in o.keys() {
            if !COLUMNS.contains(&key.as_str()) {
                problems.push(BomProblem {
                    row: Some(row),
                    part_id: None,
                    field: Some(key.clone()),
                    message: format!("unknown field (known: {})", COLUMNS.join(", ")),
                });
            }
        }
        let texts: Vec<String> = COLUMNS
            .iter()
            .map(|c| o.get(*c).map(scalar_text).unwrap_or_default())
            .collect();
        let fields: [&str; 12] = std::array::from_fn(|c| texts[c].as_str());
        let reader = RowReader {
            row,
            part: fields[0].trim(),
            problems: &mut problems,
            eccns: &mut eccns,
            texts: &mut interned,
        };
        bom.lines.push(reader.line(fields));
    }
    (bom, problems)
}

/// The text of a JSON scalar (numbers in their shortest round-trip form; lists joined by `;`).
fn scalar_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            if items.is_empty() {
                "none".into()
            } else {
                items.iter().map(scalar_text).collect::<Vec<_>>().join(";")
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(
            parse_rate("eur=1.08"),
            Ok(("EUR".to_string(), Decimal::new(108, 2)))
        );
        assert!(parse_rate("EUR").is_err());
        assert!(parse_rate("EUR=-1").is_err());
        assert!(parse_rate("EURO=1").is_err());
    }

    #[test]
    fn csv_columns_in_any_order() {
        let (bom, problems) = parse_csv(
            "eccn,part_id,parent_id,quantity,unit_value,currency,origin_country,description,us_origin_ic\n\
             3A001.a.1,IC,P,2,10.50,usd,us,chip,yes\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let l = &bom.lines[0];
        assert_eq!(l.row, Row::Line(2));
        assert_eq!(l.eccn.as_deref(), Some("3A001.a.1"));
        assert_eq!(&*l.currency, "USD");
        assert_eq!(&*l.origin_country, "US");
        assert_eq!(l.unit_value, Decimal::new(1050, 2));
        assert_eq!(l.us_origin_ic, Some(true));
        assert_eq!(l.direct_product_of, DirectProduct::Unknown);
    }
}
