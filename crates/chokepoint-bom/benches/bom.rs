//! `cargo bench -p chokepoint-bom --bench bom [-- LINES]`: generates an N-line, 6-level BOM
//! (default 1,000,000), then times parsing and evaluation (to China, where the generated US
//! parts are controlled) and prints the peak resident memory (VmHWM from /proc/self/status).
//! Not a criterion bench: one large input, timed end to end, best of three runs.

use std::time::Instant;

fn vm_hwm() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        })
        .unwrap_or_else(|| "n/a".into())
}

fn main() {
    let lines: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let text = chokepoint_bom::generate_csv(lines, 6);
    let generated = t.elapsed();
    let (rules, _) = chokepoint_rules::shipped_ruleset();
    let query = chokepoint_bom::Query {
        destination: "CN".into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 7, 1).unwrap_or_default(),
        end_user: None,
    };
    let mut best = (f64::MAX, f64::MAX);
    let mut summary = String::new();
    for _ in 0..3 {
        let t = Instant::now();
        let (mut bom, problems) = chokepoint_bom::parse_csv(&text);
        let parse = t.elapsed().as_secs_f64();
        assert!(problems.is_empty(), "{:?}", problems.first());
        bom.rates
            .insert("EUR".into(), "1.08".parse().unwrap_or_default());
        bom.rates
            .insert("JPY".into(), "0.0067".parse().unwrap_or_default());
        let t = Instant::now();
        let answer = match chokepoint_bom::evaluate(&rules, &bom, &query) {
            Ok(a) => a,
            Err(p) => panic!("{:?}", p.first()),
        };
        let eval = t.elapsed().as_secs_f64();
        if parse + eval < best.0 + best.1 {
            best = (parse, eval);
        }
        summary = format!(
            "{} lines, subject_to_ear {:?}, controlled {} % of {} USD",
            answer.lines.len(),
            answer.subject_to_ear,
            answer.controlled_us_content_percent,
            answer.product_value
        );
    }
    println!(
        "generator: chokepoint_bom::generate_csv({lines}, 6) in {generated:.2?}, {} MB of CSV",
        text.len() / 1_000_000
    );
    println!("{summary}");
    println!(
        "best of 3: parse {:.3} s + evaluate {:.3} s = {:.3} s; peak RSS (VmHWM) {}",
        best.0,
        best.1,
        best.0 + best.1,
        vm_hwm()
    );
}
