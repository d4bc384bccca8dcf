//! A load generator for `POST /v1/screen`: keep-alive HTTP/1.1 connections on loopback, each
//! sending the next name as soon as the previous answer is in, for a fixed time; prints
//! requests/s, latency percentiles and every failure. A benchmark, not a test.
//!
//! ```sh
//! cargo run --release -p chokepoint-server --example loadgen -- \
//!     --addr 127.0.0.1:8080 --key KEY --seconds 60 --connections 32 [--names FILE]
//! ```

use std::io::{Error, ErrorKind};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Options {
    addr: String,
    key: String,
    seconds: u64,
    connections: usize,
    names: Vec<String>,
}

fn options() -> Result<Options, String> {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        addr: "127.0.0.1:8080".into(),
        key: String::new(),
        seconds: 60,
        connections: 32,
        names: Vec::new(),
    };
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--addr" => options.addr = value()?,
            "--key" => options.key = value()?,
            "--seconds" => options.seconds = value()?.parse().map_err(|e| format!("{e}"))?,
            "--connections" => {
                options.connections = value()?.parse().map_err(|e| format!("{e}"))?;
            }
            "--names" => {
                let path = value()?;
                let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
                options.names = text
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            other => return Err(format!("unknown flag `{other}`")),
        }
    }
    if options.key.is_empty() {
        return Err("--key KEY is required (an analyst key)".into());
    }
    if options.names.is_empty() {
        options.names = [
            "Huawei Technologies",
            "Semiconductor Manufacturing International",
            "Acme Widgets GmbH",
            "Rosoboronexport",
            "Zhongxin Guoji",
            "John Smith",
            "Example Trading LLC",
            "Yangtze Memory Technologies",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
    }
    Ok(options)
}

/// Sends one request and reads its answer; returns the status.
async fn exchange(
    stream: &mut BufReader<TcpStream>,
    request: &[u8],
    body: &mut Vec<u8>,
) -> std::io::Result<u16> {
    stream.get_mut().write_all(request).await?;
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::new(ErrorKind::InvalidData, format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(Error::new(ErrorKind::UnexpectedEof, "connection closed"));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    body.resize(length, 0);
    stream.read_exact(body).await?;
    Ok(status)
}

#[tokio::main]
async fn main() {
    let options = match options() {
        Ok(options) => options,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let mut tasks = Vec::new();
    for c in 0..options.connections {
        let addr = options.addr.clone();
        let key = options.key.clone();
        let names = options.names.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures: Vec<String> = Vec::new();
            let mut stream = match TcpStream::connect(&addr).await {
                Ok(s) => BufReader::new(s),
                Err(e) => return (latencies, vec![format!("connect: {e}")]),
            };
            let _ = stream.get_ref().set_nodelay(true);
            let mut body = Vec::new();
            let mut i = c;
            while Instant::now() < deadline {
                let name = &names[i % names.len()];
                i += 1;
                let json = serde_json::json!({ "name": name }).to_string();
                let request = format!(
                    "POST /v1/screen HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
                    json.len()
                );
                let started = Instant::now();
                match exchange(&mut stream, request.as_bytes(), &mut body).await {
                    Ok(200) => latencies.push(started.elapsed()),
                    Ok(status) => {
                        failures.push(format!("{status}: {}", String::from_utf8_lossy(&body)));
                    }
                    Err(e) => {
                        failures.push(format!("io: {e}"));
                        match TcpStream::connect(&addr).await {
                            Ok(s) => stream = BufReader::new(s),
                            Err(e) => {
                                failures.push(format!("reconnect: {e}"));
                                break;
                            }
                        }
                    }
                }
            }
            (latencies, failures)
        }));
    }
    let started = Instant::now();
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for task in tasks {
        if let Ok((l, f)) = task.await {
            latencies.extend(l);
            failures.extend(f);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{} ok, {} failed in {elapsed:.1} s over {} connections: {:.0} req/s; latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
        latencies.len(),
        failures.len(),
        options.connections,
        latencies.len() as f64 / elapsed,
        pct(0.50),
        pct(0.90),
        pct(0.99),
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1000.0),
    );
    for failure in failures.iter().take(10) {
        println!("failure: {failure}");
    }
}
