//! Webhook delivery of alerts: at least once, signed, retried with exponential back-off.
//!
//! Each new alert is queued for every webhook in the store's outbox, in the alert's own
//! transaction. [`deliver_due`] claims the deliveries that are due (under a lease, so two
//! servers do not send the same one at once), POSTs each, and marks it delivered only on a 2xx
//! answer; a failure schedules the next attempt `base × 2^attempts` later (capped). A server
//! that stops mid-delivery leaves the row to be claimed again when the lease expires, so a
//! receiver may see an alert twice: it drops the duplicate by the alert's `id` (also in the
//! `X-Chokepoint-Alert-Id` header).
//!
//! The request: `POST URL` with `content-type: application/json`, the body
//! `{"alert": ALERT, "delivery": {"id", "attempt", "sent_at"}}`, and the header
//! `X-Chokepoint-Signature: sha256=HEX`, HMAC-SHA256 of the exact body bytes keyed with the
//! webhook's secret. Receivers compute the same over the raw body and compare in constant time.

use chokepoint_store::{Delivery, Store};
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;
use std::sync::Arc;
use std::time::Duration;

/// The signature header.
pub const SIGNATURE_HEADER: &str = "x-chokepoint-signature";
/// The alert id header.
pub const ALERT_ID_HEADER: &str = "x-chokepoint-alert-id";

/// How deliveries are paced.
#[derive(Debug, Clone)]
pub struct DeliveryOptions {
    /// The first retry waits this long; each later one twice as long as the one before.
    pub base_backoff: Duration,
    /// No retry waits longer.
    pub max_backoff: Duration,
    /// How long a claimed delivery is held before another worker may take it.
    pub lease: Duration,
    /// How long one POST may take.
    pub timeout: Duration,
    /// How often the worker looks for due deliveries.
    pub poll: Duration,
}

impl Default for DeliveryOptions {
    fn default() -> Self {
        DeliveryOptions {
            base_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(3600),
            lease: Duration::from_secs(60),
            timeout: Duration::from_secs(10),
            poll: Duration::from_secs(2),
        }
    }
}

/// `sha256=HEX`: HMAC-SHA256 of `body` keyed with `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this branch is never taken.
        Err(_) => return String::new(),
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!(
        "sha256={}",
        digest
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    )
}

/// Whether `header` is the signature of `body` under `secret` (constant-time comparison).
pub fn verify_signature(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(body);
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect();
    bytes.is_some_and(|b| mac.verify_slice(&b).is_ok())
}

/// The wait before attempt `attempts + 1` (after `attempts` failures).
pub fn backoff(options: &DeliveryOptions, attempts: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempts.saturating_sub(1).min(30));
    options
        .base_backoff
        .saturating_mul(factor)
        .min(options.max_backoff)
}

fn post(delivery: &Delivery, timeout: Duration) -> Result<(), String> {
    let body = serde_json::to_vec(&json!({
        "alert": delivery.alert,
        "delivery": {
            "id": delivery.id,
            "attempt": delivery.attempts + 1,
            "sent_at": chokepoint_store::now_rfc3339(),
        },
    }))
    .map_err(|e| e.to_string())?;
    let agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .build()
        .new_agent();
    agent
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, &signature(&delivery.secret, &body))
        .header(ALERT_ID_HEADER, &delivery.alert.id)
        .send(&body[..])
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Attempts every delivery that is due, once; returns `(delivered, failed)`.
pub async fn deliver_due(
    store: &Arc<dyn Store>,
    options: &DeliveryOptions,
) -> Result<(usize, usize), chokepoint_store::StoreError> {
    let (mut delivered, mut failed) = (0, 0);
    loop {
        let batch = store
            .claim_deliveries(options.lease.as_millis() as u64, 16)
            .await?;
        if batch.is_empty() {
            return Ok((delivered, failed));
        }
        for delivery in batch {
            let timeout = options.timeout;
            let sent = {
                let delivery = delivery.clone();
                tokio::task::spawn_blocking(move || post(&delivery, timeout))
                    .await
                    .unwrap_or_else(|e| Err(e.to_string()))
            };
            match sent {
                Ok(()) => {
                    store.delivery_succeeded(&delivery.id).await?;
                    delivered += 1;
                }
                Err(error) => {
                    let wait = backoff(options, delivery.attempts + 1);
                    let next =
                        chokepoint_store::now_millis().saturating_add(wait.as_millis() as i64);
                    tracing::warn!(alert = %delivery.alert.id, webhook = %delivery.webhook_id, %error, "webhook delivery failed; will retry");
                    store.delivery_failed(&delivery.id, &error, next).await?;
                    failed += 1;
                }
            }
        }
    }
}

/// A task delivering alerts until stopped.
#[derive(Debug)]
pub struct WebhookWorker {
    stop: tokio::sync::watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
}

impl WebhookWorker {
    /// Starts delivering.
    pub fn spawn(store: Arc<dyn Store>, options: DeliveryOptions) -> WebhookWorker {
        let (stop, mut stopped) = tokio::sync::watch::channel(false);
        let handle = tokio::spawn(async move {
            loop {
                if let Err(error) = deliver_due(&store, &options).await {
                    tracing::error!(%error, "webhook delivery pass failed");
                }
                tokio::select! {
                    _ = stopped.changed() => break,
                    () = tokio::time::sleep(options.poll) => {}
                }
            }
        });
        WebhookWorker { stop, handle }
    }

    /// Stops after the delivery in progress.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_and_backoff_doubles_up_to_its_cap() {
        let sig = signature("s3cret", b"{\"a\":1}");
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64, "{sig}");
        assert!(verify_signature("s3cret", b"{\"a\":1}", &sig));
        assert!(!verify_signature("other", b"{\"a\":1}", &sig));
        assert!(!verify_signature("s3cret", b"{\"a\":2}", &sig));
        let options = DeliveryOptions {
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(10),
            ..DeliveryOptions::default()
        };
        let waits: Vec<u64> = (1..=6).map(|n| backoff(&options, n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 10, 10]);
    }
}
