//! Format detection from content: the XML root, the JSON shape, the YAML marker key, the CSV
//! header row, or the shape of OFAC's header-less rows. The file extension is only a tiebreak
//! (OFAC SDN vs consolidated companions, YAML vs CSV user lists), so renamed files still load.

use crate::error::IngestError;
use crate::{ofac, text};
use chokepoint_model::SourceFormat;

/// How many leading bytes are inspected for text formats.
const HEAD: usize = 64 * 1024;
/// JSON files put their shape keys after metadata; look further.
const JSON_HEAD: usize = 1024 * 1024;

/// Detects the format of one file from its content, using the extension of `label` only as a
/// tiebreak.
pub fn detect_format(label: &str, bytes: &[u8]) -> Result<SourceFormat, IngestError> {
    let body = text::strip_bom(bytes);
    let unrecognised = || IngestError::UnrecognisedFormat {
        label: label.to_string(),
    };
    let Some(first) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(IngestError::Empty {
            label: label.to_string(),
        });
    };
    let head = &body[..body.len().min(HEAD)];
    if head.contains(&0) {
        return Err(unrecognised());
    }
    match body[first] {
        b'<' => contains(head, b"<CONSOLIDATED_LIST")
            .then_some(SourceFormat::UnXml)
            .ok_or_else(unrecognised),
        b'{' | b'[' => {
            let json_head = &body[..body.len().min(JSON_HEAD)];
            // trade.gov's bulk file: `results` beside `total`/`sources_used`, or holding names.
            let bulk = contains(json_head, b"\"results\"")
                && [&b"\"name\""[..], b"\"total\"", b"\"sources_used\""]
                    .iter()
                    .any(|key| contains(json_head, key));
            let compact =
                contains(json_head, b"\"fieldKey\"") && contains(json_head, b"\"entries\"");
            let bare_results = body[first] == b'['
                && contains(json_head, b"\"source\"")
                && contains(json_head, b"\"name\"");
            (bulk || compact || bare_results)
                .then_some(SourceFormat::CslJson)
                .ok_or_else(unrecognised)
        }
        _ => detect_text(label, body, head).ok_or_else(unrecognised),
    }
}

/// Detects the line-based formats.
fn detect_text(label: &str, body: &[u8], head: &[u8]) -> Option<SourceFormat> {
    let head = text::decode(head).text;
    let mut lines = head
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty());
    let extension = extension(label);

    // A YAML list has its marker key at the start of some line, not commented out.
    if head.lines().any(|l| is_marker_key(l.trim_end())) {
        return Some(SourceFormat::UserYaml);
    }
    let mut user_marker = false;
    let mut header = None;
    for line in lines.by_ref() {
        if let Some(comment) = line.trim_start().strip_prefix('#') {
            user_marker |= comment.trim_start().starts_with("chokepoint_list");
            continue;
        }
        header = Some(line);
        break;
    }
    let columns: Vec<String> = header
        .map(|h| {
            let delimiter = if h.contains('\t') { '\t' } else { ',' };
            h.split(delimiter)
                .map(|c| c.trim().trim_matches('"').trim().to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default();
    let has = |name: &str| columns.iter().any(|c| c == name);

    if has("_id") && has("source") && has("name") {
        return Some(SourceFormat::CslCsv);
    }
    if crate::meti_eul::is_header(&columns) {
        return Some(SourceFormat::MetiEulCsv);
    }
    if has("name") && has("effective_date") && header.is_some_and(|h| h.contains('\t')) {
        return Some(SourceFormat::BisDplTxt);
    }
    if columns.first().is_some_and(|c| c == "id") && has("name") && (has("aliases") || user_marker)
    {
        return Some(SourceFormat::UserCsv);
    }
    if user_marker {
        return Some(if matches!(extension.as_str(), "yaml" | "yml") {
            SourceFormat::UserYaml
        } else {
            SourceFormat::UserCsv
        });
    }
    let role = ofac::role_of(body)?;
    Some(ofac::family_of(label, body, role))
}

/// Whether a line is the YAML key `chokepoint_list:`.
fn is_marker_key(line: &str) -> bool {
    line.strip_prefix("chokepoint_list")
        .is_some_and(|rest| rest.trim_start().starts_with(':'))
}

/// The lowercase extension of a file name.
fn extension(label: &str) -> String {
    label
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detect(label: &str, content: &str) -> Result<SourceFormat, IngestError> {
        detect_format(label, content.as_bytes())
    }

    #[test]
    fn detects_each_format_from_content() {
        let cases = [
            (
                "\u{feff}_id,source,entity_number,type,name\n",
                SourceFormat::CslCsv,
            ),
            ("\"_id\",\"source\",\"name\"\n", SourceFormat::CslCsv),
            ("{\"total\": 1, \"results\": []}", SourceFormat::CslJson),
            (
                "<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST>",
                SourceFormat::UnXml,
            ),
            (
                "\"Name\"\t\"Street_Address\"\t\"Effective_Date\"\n",
                SourceFormat::BisDplTxt,
            ),
            ("chokepoint_list: 1\nname: x\n", SourceFormat::UserYaml),
            (
                "# a comment\nname: x\nchokepoint_list: 1\n",
                SourceFormat::UserYaml,
            ),
            ("id,name,kind,aliases\n", SourceFormat::UserCsv),
            ("# chokepoint_list: 1\nid,name\n", SourceFormat::UserCsv),
            (
                "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n",
                SourceFormat::OfacSdnCsv,
            ),
        ];
        for (content, format) in cases {
            assert_eq!(detect("renamed.dat", content), Ok(format), "{content}");
        }
    }

    #[test]
    fn extension_breaks_ties_only() {
        assert_eq!(
            detect("w.yml", "# chokepoint_list: 1\n"),
            Ok(SourceFormat::UserYaml)
        );
        assert_eq!(
            detect("w.csv", "# chokepoint_list: 1\n"),
            Ok(SourceFormat::UserCsv)
        );
        let add = "173,129,\"Ibex House\",\"London\",\"United Kingdom\",-0- \n";
        assert_eq!(detect("add.csv", add), Ok(SourceFormat::OfacSdnCsv));
        assert_eq!(detect("cons_add.csv", add), Ok(SourceFormat::OfacConsCsv));
    }

    #[test]
    fn rejects_empty_binary_and_unknown() {
        assert!(matches!(
            detect("e.csv", " \n"),
            Err(IngestError::Empty { .. })
        ));
        assert!(matches!(
            detect_format("b.bin", b"\x00\x01\x02garbage"),
            Err(IngestError::UnrecognisedFormat { .. })
        ));
        let error = detect("foo.bin", "hello world\n").expect_err("unknown");
        assert_eq!(
            error.to_string(),
            "`foo.bin`: not a recognised list format (expected trade.gov CSL CSV/JSON, OFAC SDN/consolidated CSV, BIS DPL text, UN XML, or chokepoint YAML/CSV)"
        );
        assert!(detect("x.xml", "<html></html>").is_err());
        assert!(detect("x.json", "{\"a\": 1}").is_err());
    }
}
