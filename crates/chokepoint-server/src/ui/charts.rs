//! Charts drawn on the server as inline SVG: horizontal bars (hits by list, facilities by node)
//! and grouped columns over time (cases opened and closed per day). No chart library and no
//! script: the pages stay readable without JavaScript, print well, and every label is text a
//! screen reader can read (`role="img"` with a title, and a table beside each chart).
//!
//! Pure functions of their data; every label is XML-escaped.

use std::fmt::Write;

/// Escapes text for SVG/HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const BAR_HEIGHT: u32 = 22;
const LABEL_WIDTH: u32 = 220;
const PLOT_WIDTH: u32 = 360;

/// Horizontal bars, one per `(label, value)`, in the order given.
pub fn bars(title: &str, data: &[(String, u64)]) -> String {
    let max = data.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let height = BAR_HEIGHT * (data.len() as u32).max(1) + 8;
    let width = LABEL_WIDTH + PLOT_WIDTH + 60;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    if data.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="4" y="18" class="chart-empty">No data yet.</text>"#
        );
    }
    for (i, (label, value)) in data.iter().enumerate() {
        let y = 4 + i as u32 * BAR_HEIGHT;
        let w = ((*value as f64 / max as f64) * f64::from(PLOT_WIDTH)).round() as u32;
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="chart-label">{label}</text><rect x="{LABEL_WIDTH}" y="{y}" width="{w}" height="{bh}" class="chart-bar"><title>{label}: {value}</title></rect><text x="{vx}" y="{ty}" class="chart-value">{value}</text>"#,
            lx = LABEL_WIDTH - 8,
            ty = y + 15,
            label = escape(label),
            bh = BAR_HEIGHT - 6,
            vx = LABEL_WIDTH + w + 6,
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One series of a column chart: its name, CSS class and one value per label.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// CSS class of its columns (`chart-a`, `chart-b`).
    pub class: &'static str,
    /// One value per label.
    pub values: Vec<u64>,
}

/// Grouped columns: one group per label (e.g. a day), one column per series; the legend on
/// top, the labels slanted below.
pub fn columns(title: &str, labels: &[String], series: &[Series]) -> String {
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let top = 28u32;
    let plot_height = 140u32;
    let base = top + plot_height;
    let group = (series.len() as u32 * 14 + 10).max(24);
    let width = (40 + group * (labels.len() as u32).max(1) + 10).max(300);
    let height = base + 72;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title)
    );
    let _ = write!(
        svg,
        r#"<line x1="36" y1="{base}" x2="{width}" y2="{base}" class="chart-axis"/><text x="32" y="{ty}" text-anchor="end" class="chart-value">{max}</text><text x="32" y="{base}" text-anchor="end" class="chart-value">0</text>"#,
        ty = top + 10
    );
    if labels.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="44" y="{}" class="chart-empty">No data yet.</text>"#,
            top + 60
        );
    }
    for (g, label) in labels.iter().enumerate() {
        let x0 = 40 + g as u32 * group;
        for (s, serie) in series.iter().enumerate() {
            let value = serie.values.get(g).copied().unwrap_or(0);
            let h = ((value as f64 / max as f64) * f64::from(plot_height)).round() as u32;
            let _ = write!(
                svg,
                r#"<rect x="{x}" y="{y}" width="12" height="{h}" class="{class}"><title>{label} {name}: {value}</title></rect>"#,
                x = x0 + s as u32 * 14,
                y = base - h,
                class = serie.class,
                label = escape(label),
                name = escape(&serie.name),
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{x}" y="{y}" class="chart-tick" transform="rotate(45 {x} {y})">{}</text>"#,
            escape(label),
            x = x0 + 2,
            y = base + 12,
        );
    }
    for (s, serie) in series.iter().enumerate() {
        let x = 40 + s as u32 * 100;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="6" width="10" height="10" class="{class}"/><text x="{tx}" y="15" class="chart-label">{name}</text>"#,
            class = serie.class,
            tx = x + 14,
            name = escape(&serie.name),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = bars("t", &[("<script>&".to_string(), 3)]);
        assert!(svg.contains("&lt;script&gt;&amp;"));
        assert!(!svg.contains("<script>"));
    }

    #[test]
    fn longest_bar_is_the_largest_value() {
        let svg = bars("t", &[("a".to_string(), 1), ("b".to_string(), 4)]);
        assert!(svg.contains(&format!(r#"width="{PLOT_WIDTH}""#)));
        assert!(svg.contains(&format!(r#"width="{}""#, PLOT_WIDTH / 4)));
    }

    #[test]
    fn empty_charts_say_so() {
        assert!(bars("t", &[]).contains("No data yet."));
        assert!(columns("t", &[], &[]).contains("No data yet."));
    }

    #[test]
    fn columns_draw_one_rect_per_value_and_legend() {
        let labels = vec!["2026-11-20".to_string(), "2026-11-21".to_string()];
        let series = vec![
            Series {
                name: "opened".into(),
                class: "chart-a",
                values: vec![2, 5],
            },
            Series {
                name: "closed".into(),
                class: "chart-b",
                values: vec![0, 1],
            },
        ];
        let svg = columns("cases", &labels, &series);
        assert_eq!(svg.matches("<rect").count(), 4 + 2);
        assert!(svg.contains("2026-11-21 opened: 5"));
    }
}
