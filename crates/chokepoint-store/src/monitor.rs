//! Change monitoring's storage: watched parties and open orders with their last hits and
//! answers, the monitoring state, alerts, webhooks and the delivery outbox.
//!
//! [`MonitorStore`] is a supertrait of [`Store`](crate::Store), so an `Arc<dyn Store>` has these
//! methods too; it is implemented for both backends in `sql/monitor.rs` with the same SQL.
//! Hits and answers are opaque JSON here: their shape belongs to `chokepoint-monitor`.
//!
//! Delivery is at least once: an outbox row per (alert, webhook) is written in the same
//! transaction as the alert, claimed under a lease, and marked delivered only when the receiver
//! answered; a process that dies mid-delivery leaves the row to be claimed again.

use crate::StoreError;
use crate::types::AuditEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A party to watch, as imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewParty {
    /// The customer's id.
    pub id: String,
    /// The name to screen.
    pub name: String,
    /// ISO-2 country.
    pub country: Option<String>,
    /// `entity`, `individual`, `vessel`, `aircraft`.
    pub kind: Option<String>,
    /// Other columns (a JSON object).
    pub extra: Value,
}

/// A watched party as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredParty {
    /// The customer's id.
    pub id: String,
    /// The name to screen.
    pub name: String,
    /// ISO-2 country.
    pub country: Option<String>,
    /// Type.
    pub kind: Option<String>,
    /// Other columns.
    pub extra: Value,
    /// Its matches at the last check (`None`: never checked).
    pub hits: Option<Value>,
    /// Imported or edited since the last check.
    pub dirty: bool,
    /// When it was last checked.
    pub screened_at: Option<String>,
    /// When it was last imported.
    pub imported_at: String,
}

/// An open order, as imported: a transaction record (`chokepoint check` format).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewOrder {
    /// The record's id.
    pub id: String,
    /// Its title, if any.
    pub title: Option<String>,
    /// The record (JSON).
    pub record: Value,
}

/// An open order as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredOrder {
    /// The record's id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// The record.
    pub record: Value,
    /// Its answer at the last check (`None`: never answered).
    pub answer: Option<Value>,
    /// Imported or edited since the last check.
    pub dirty: bool,
    /// When it was last answered.
    pub determined_at: Option<String>,
    /// When it was last imported.
    pub imported_at: String,
}

/// What the last monitoring run saw.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MonitorState {
    /// The data directory's list revision.
    pub list_revision: Option<u64>,
    /// The list snapshot id.
    pub list_snapshot: Option<String>,
    /// The date orders were answered for (YYYY-MM-DD).
    pub rules_date: Option<String>,
    /// The rule-set version used.
    pub ruleset_version: Option<String>,
    /// When it ran.
    pub run_at: Option<String>,
}

/// An alert to store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAlert {
    /// Stable id (a hash of what it reports).
    pub id: String,
    /// `new_hit`, `changed_hit`, `removed_hit`, `new_answer`, `changed_answer`.
    pub kind: String,
    /// `party` or `order`.
    pub subject_kind: String,
    /// The party's or order's id.
    pub subject_id: String,
    /// Its name or title.
    pub subject_name: String,
    /// One line for people.
    pub title: String,
    /// Before, after and cause.
    pub details: Value,
}

/// A stored alert: the JSON of `GET /v1/alerts` and of webhook deliveries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Stable id: receivers drop a delivery whose id they have seen.
    pub id: String,
    /// What happened.
    pub kind: String,
    /// `party` or `order`.
    pub subject_kind: String,
    /// The party's or order's id.
    pub subject_id: String,
    /// Its name or title.
    pub subject_name: String,
    /// One line.
    pub title: String,
    /// Before, after and cause.
    pub details: Value,
    /// When it was raised (RFC 3339).
    pub raised_at: String,
    /// When it was acknowledged.
    pub acked_at: Option<String>,
    /// By whom.
    pub acked_by: Option<String>,
    /// With what note.
    pub ack_note: Option<String>,
}

/// Which alerts to list.
#[derive(Debug, Clone, Default)]
pub struct AlertFilter {
    /// Only `party` or `order` alerts.
    pub subject_kind: Option<String>,
    /// Only one subject.
    pub subject_id: Option<String>,
    /// Only acknowledged (`true`) or open (`false`) ones.
    pub acknowledged: Option<bool>,
    /// Raised at or after (RFC 3339 or a date).
    pub since: Option<String>,
    /// Raised before (RFC 3339 or a date).
    pub until: Option<String>,
    /// Only alerts after this `(raised_at, id)`: the last one of the previous page (keyset
    /// paging, for reading many).
    pub after: Option<(String, String)>,
    /// Skip this many.
    pub offset: u64,
    /// At most this many.
    pub limit: u32,
}

/// A webhook to create.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    /// Id.
    pub id: String,
    /// Where alerts are POSTed.
    pub url: String,
    /// The HMAC-SHA256 key of the signature header.
    pub secret: String,
    /// Who created it.
    pub created_by: String,
}

/// A webhook (its secret is never read back through the API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    /// Id.
    pub id: String,
    /// URL.
    pub url: String,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
}

/// A delivery to attempt.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The outbox row's id.
    pub id: String,
    /// The alert.
    pub alert: Alert,
    /// The webhook's id.
    pub webhook_id: String,
    /// Its URL.
    pub url: String,
    /// Its secret.
    pub secret: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// Where a delivery stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryStatus {
    /// The webhook.
    pub webhook_id: String,
    /// Attempts so far.
    pub attempts: u32,
    /// When it was delivered.
    pub delivered_at: Option<String>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When the next attempt is due (ms since the epoch).
    pub next_attempt_at: i64,
}

/// What a monitoring pass found, saved in one transaction.
#[derive(Debug, Clone, Default)]
pub struct WatchResults {
    /// `(party id, hits)`: checked parties (their `dirty` flag is cleared).
    pub parties: Vec<(String, Value)>,
    /// `(order id, answer)`: answered orders.
    pub orders: Vec<(String, Value)>,
    /// Alerts raised; one already stored (same id) is left as it was.
    pub alerts: Vec<NewAlert>,
}

/// Change monitoring's storage, on both backends.
#[async_trait::async_trait]
pub trait MonitorStore: Send + Sync {
    /// Adds parties or updates them by id; a party whose name, country or type changed is
    /// marked to be checked again. Returns how many were written.
    async fn upsert_parties(&self, parties: Vec<NewParty>) -> Result<u64, StoreError>;
    /// Parties with `id > after`, by id, at most `limit`.
    async fn parties(&self, after: &str, limit: u32) -> Result<Vec<StoredParty>, StoreError>;
    /// How many parties are watched.
    async fn party_count(&self) -> Result<u64, StoreError>;
    /// Adds orders or updates them by id; a changed record is answered again.
    async fn upsert_orders(&self, orders: Vec<NewOrder>) -> Result<u64, StoreError>;
    /// Orders with `id > after`, by id, at most `limit`.
    async fn orders(&self, after: &str, limit: u32) -> Result<Vec<StoredOrder>, StoreError>;
    /// Saves hits, answers and alerts, and queues each new alert for every webhook: one
    /// transaction. Returns the alerts newly stored.
    async fn save_watch(&self, results: WatchResults) -> Result<Vec<Alert>, StoreError>;
    /// Stops watching parties: removes them with their last hits (alerts already raised are
    /// kept) and appends `event`, in one transaction. All or nothing: an id not watched is
    /// `NotFound` and nothing is removed. Returns how many were removed.
    async fn remove_parties(&self, ids: Vec<String>, event: AuditEvent) -> Result<u64, StoreError>;
    /// Stops watching orders, like [`MonitorStore::remove_parties`].
    async fn remove_orders(&self, ids: Vec<String>, event: AuditEvent) -> Result<u64, StoreError>;
    /// What the last run saw.
    async fn monitor_state(&self) -> Result<MonitorState, StoreError>;
    /// Records what this run saw.
    async fn set_monitor_state(&self, state: MonitorState) -> Result<(), StoreError>;

    /// Alerts, oldest first.
    async fn alerts(&self, filter: AlertFilter) -> Result<Vec<Alert>, StoreError>;
    /// One alert.
    async fn alert(&self, id: &str) -> Result<Option<Alert>, StoreError>;
    /// Acknowledges an alert and audits it (one transaction); acknowledging twice keeps the
    /// first.
    async fn ack_alert(
        &self,
        id: &str,
        by: &str,
        note: Option<String>,
        event: AuditEvent,
    ) -> Result<Alert, StoreError>;

    /// Creates a webhook and audits it.
    async fn create_webhook(
        &self,
        webhook: NewWebhook,
        event: AuditEvent,
    ) -> Result<Webhook, StoreError>;
    /// Every webhook.
    async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError>;
    /// Deletes a webhook (and its pending deliveries) and audits it.
    async fn delete_webhook(&self, id: &str, event: AuditEvent) -> Result<(), StoreError>;

    /// Claims up to `limit` deliveries that are due and not leased, for `lease_ms`.
    async fn claim_deliveries(
        &self,
        lease_ms: u64,
        limit: u32,
    ) -> Result<Vec<Delivery>, StoreError>;
    /// Marks a delivery done.
    async fn delivery_succeeded(&self, id: &str) -> Result<(), StoreError>;
    /// Records a failed attempt and when to try again.
    async fn delivery_failed(
        &self,
        id: &str,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<(), StoreError>;
    /// The deliveries of one alert.
    async fn deliveries(&self, alert_id: &str) -> Result<Vec<DeliveryStatus>, StoreError>;
}
