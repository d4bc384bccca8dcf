//! [`MonitorStore`] on both backends, one SQL text (see `migrations/*/0003_monitor.sql`).

use super::{INSERT_CHUNK, corrupt, to_u64};
use crate::monitor::{
    Alert, AlertFilter, Delivery, DeliveryStatus, MonitorState, MonitorStore, NewOrder, NewParty,
    NewWebhook, StoredOrder, StoredParty, WatchResults, Webhook,
};
use crate::types::AuditEvent;
use crate::{PostgresStore, SqliteStore, StoreError, now_millis, now_rfc3339};
use sqlx::Row;

const ALERT_COLUMNS: &str = "id, kind, subject_kind, subject_id, subject_name, title, details, \
                             raised_at, acked_at, acked_by, ack_note";

/// Rows per multi-row `UPDATE`: two bound parameters each (plus one), far below SQLite's
/// 32,766 and PostgreSQL's 65,535.
const UPDATE_CHUNK: usize = 5000;

fn json_text(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn parse_json(text: &str, what: &str) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(what, e))
}

macro_rules! monitor_impl {
    ($store:ident, $db:ty, $skip_locked:literal) => {
        impl $store {
            fn alert_from(row: &<$db as sqlx::Database>::Row) -> Result<Alert, StoreError> {
                let details: String = row.try_get("details")?;
                Ok(Alert {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    subject_kind: row.try_get("subject_kind")?,
                    subject_id: row.try_get("subject_id")?,
                    subject_name: row.try_get("subject_name")?,
                    title: row.try_get("title")?,
                    details: parse_json(&details, "alert details")?,
                    raised_at: row.try_get("raised_at")?,
                    acked_at: row.try_get("acked_at")?,
                    acked_by: row.try_get("acked_by")?,
                    ack_note: row.try_get("ack_note")?,
                })
            }

            /// `{update}$1 FROM (VALUES ($2, $3), ...) AS v WHERE {table}.id = v.column1`:
            /// `(id, JSON)` pairs written in one statement (`column1`, `column2` are the names
            /// both SQLite and PostgreSQL give a `VALUES` list's columns).
            async fn update_from_values(
                tx: &mut sqlx::Transaction<'static, $db>,
                update: &str,
                now: &str,
                rows: &[(String, serde_json::Value)],
                table: &str,
            ) -> Result<(), StoreError> {
                let mut query = sqlx::QueryBuilder::<$db>::new(update);
                query.push_bind(now.to_string()).push(" FROM (");
                query.push_values(rows, |mut values, (id, value)| {
                    values.push_bind(id.clone()).push_bind(json_text(value));
                });
                query.push(format!(") AS v WHERE {table}.id = v.column1"));
                query.build().execute(&mut **tx).await?;
                Ok(())
            }

            /// Deletes watched rows by id with the audit record, all or nothing.
            async fn remove_watched(
                &self,
                table: &str,
                what: &'static str,
                ids: Vec<String>,
                event: &AuditEvent,
            ) -> Result<u64, StoreError> {
                let mut ids = ids;
                ids.sort();
                ids.dedup();
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                Self::lock_head(&mut tx).await?;
                let mut removed = 0u64;
                for chunk in ids.chunks(INSERT_CHUNK) {
                    let mut delete = sqlx::QueryBuilder::<$db>::new(format!(
                        "DELETE FROM {table} WHERE id IN ("
                    ));
                    let mut list = delete.separated(", ");
                    for id in chunk {
                        list.push_bind(id.clone());
                    }
                    delete.push(") RETURNING id");
                    let mut gone = std::collections::HashSet::new();
                    for row in delete.build().fetch_all(&mut *tx).await? {
                        gone.insert(row.try_get::<String, _>("id")?);
                    }
                    // Dropping the transaction rolls back what this call deleted.
                    if let Some(missing) = chunk.iter().find(|id| !gone.contains(*id)) {
                        return Err(StoreError::NotFound {
                            what,
                            id: missing.clone(),
                        });
                    }
                    removed += gone.len() as u64;
                }
                if removed > 0 {
                    Self::append_in(&mut tx, event).await?;
                }
                tx.commit().await?;
                Ok(removed)
            }

            async fn alert_in<'e, E>(executor: E, id: &str) -> Result<Option<Alert>, StoreError>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let sql = format!("SELECT {ALERT_COLUMNS} FROM alerts WHERE id = $1");
                let row = sqlx::query(&sql).bind(id).fetch_optional(executor).await?;
                row.map(|row| Self::alert_from(&row)).transpose()
            }
        }

        #[async_trait::async_trait]
        impl MonitorStore for $store {
            async fn upsert_parties(&self, parties: Vec<NewParty>) -> Result<u64, StoreError> {
                let now = now_rfc3339();
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let mut written = 0u64;
                for chunk in parties.chunks(INSERT_CHUNK) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO watched_parties (id, name, country, kind, extra, dirty, \
                         imported_at) ",
                    );
                    insert.push_values(chunk, |mut values, party| {
                        values
                            .push_bind(party.id.clone())
                            .push_bind(party.name.clone())
                            .push_bind(party.country.clone())
                            .push_bind(party.kind.clone())
                            .push_bind(json_text(&party.extra))
                            .push_bind(1i64)
                            .push_bind(now.clone());
                    });
                    insert.push(
                        " ON CONFLICT (id) DO UPDATE SET \
                         dirty = CASE WHEN watched_parties.name <> excluded.name \
                         OR watched_parties.country IS DISTINCT FROM excluded.country \
                         OR watched_parties.kind IS DISTINCT FROM excluded.kind \
                         THEN 1 ELSE watched_parties.dirty END, \
                         name = excluded.name, country = excluded.country, kind = excluded.kind, \
                         extra = excluded.extra, imported_at = excluded.imported_at",
                    );
                    written += insert.build().execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
                Ok(written)
            }

            async fn parties(&self, after: &str, limit: u32) -> Result<Vec<StoredParty>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, name, country, kind, extra, hits, dirty, screened_at, imported_at \
                     FROM watched_parties WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        let extra: String = row.try_get("extra")?;
                        let hits: Option<String> = row.try_get("hits")?;
                        Ok(StoredParty {
                            id: row.try_get("id")?,
                            name: row.try_get("name")?,
                            country: row.try_get("country")?,
                            kind: row.try_get("kind")?,
                            extra: parse_json(&extra, "party columns")?,
                            hits: hits.map(|h| parse_json(&h, "party hits")).transpose()?,
                            dirty: row.try_get::<i64, _>("dirty")? != 0,
                            screened_at: row.try_get("screened_at")?,
                            imported_at: row.try_get("imported_at")?,
                        })
                    })
                    .collect()
            }

            async fn party_count(&self) -> Result<u64, StoreError> {
                let count: i64 = sqlx::query("SELECT COUNT(*) AS n FROM watched_parties")
                    .fetch_one(&self.pool)
                    .await?
                    .try_get("n")?;
                to_u64(count, "party count")
            }

            async fn upsert_orders(&self, orders: Vec<NewOrder>) -> Result<u64, StoreError> {
                let now = now_rfc3339();
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let mut written = 0u64;
                for chunk in orders.chunks(INSERT_CHUNK) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO watched_orders (id, title, record, dirty, imported_at) ",
                    );
                    insert.push_values(chunk, |mut values, order| {
                        values
                            .push_bind(order.id.clone())
                            .push_bind(order.title.clone())
                            .push_bind(json_text(&order.record))
                            .push_bind(1i64)
                            .push_bind(now.clone());
                    });
                    insert.push(
                        " ON CONFLICT (id) DO UPDATE SET \
                         dirty = CASE WHEN watched_orders.record <> excluded.record \
                         THEN 1 ELSE watched_orders.dirty END, \
                         title = excluded.title, record = excluded.record, \
                         imported_at = excluded.imported_at",
                    );
                    written += insert.build().execute(&mut *tx).await?.rows_affected();
                }
                tx.commit().await?;
                Ok(written)
            }

            async fn orders(&self, after: &str, limit: u32) -> Result<Vec<StoredOrder>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, title, record, answer, dirty, determined_at, imported_at \
                     FROM watched_orders WHERE id > $1 ORDER BY id LIMIT $2",
                )
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        let record: String = row.try_get("record")?;
                        let answer: Option<String> = row.try_get("answer")?;
                        Ok(StoredOrder {
                            id: row.try_get("id")?,
                            title: row.try_get("title")?,
                            record: parse_json(&record, "order record")?,
                            answer: answer.map(|a| parse_json(&a, "order answer")).transpose()?,
                            dirty: row.try_get::<i64, _>("dirty")? != 0,
                            determined_at: row.try_get("determined_at")?,
                            imported_at: row.try_get("imported_at")?,
                        })
                    })
                    .collect()
            }

            async fn save_watch(&self, results: WatchResults) -> Result<Vec<Alert>, StoreError> {
                let now = now_rfc3339();
                let now_ms = now_millis();
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                // Hits and answers: one multi-row `UPDATE ... FROM (VALUES ...)` per chunk (a
                // first run saves a row per watched party; one statement each cost ~200 µs).
                for chunk in results.parties.chunks(UPDATE_CHUNK) {
                    Self::update_from_values(
                        &mut tx,
                        "UPDATE watched_parties SET hits = v.column2, dirty = 0, screened_at = ",
                        &now,
                        chunk,
                        "watched_parties",
                    )
                    .await?;
                }
                for chunk in results.orders.chunks(UPDATE_CHUNK) {
                    Self::update_from_values(
                        &mut tx,
                        "UPDATE watched_orders SET answer = v.column2, dirty = 0, determined_at = ",
                        &now,
                        chunk,
                        "watched_orders",
                    )
                    .await?;
                }
                let webhooks: i64 = if results.alerts.is_empty() {
                    0
                } else {
                    sqlx::query("SELECT COUNT(*) AS n FROM webhooks")
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("n")?
                };
                // Many alerts at once (a first run raises one per match): one multi-row insert
                // per chunk; `RETURNING` names those not stored before.
                let mut fresh: std::collections::HashSet<String> = std::collections::HashSet::new();
                for chunk in results.alerts.chunks(INSERT_CHUNK) {
                    let mut insert = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO alerts (id, kind, subject_kind, subject_id, subject_name, \
                         title, details, raised_at) ",
                    );
                    insert.push_values(chunk, |mut values, alert| {
                        values
                            .push_bind(alert.id.clone())
                            .push_bind(alert.kind.clone())
                            .push_bind(alert.subject_kind.clone())
                            .push_bind(alert.subject_id.clone())
                            .push_bind(alert.subject_name.clone())
                            .push_bind(alert.title.clone())
                            .push_bind(json_text(&alert.details))
                            .push_bind(now.clone());
                    });
                    insert.push(" ON CONFLICT (id) DO NOTHING RETURNING id");
                    for row in insert.build().fetch_all(&mut *tx).await? {
                        fresh.insert(row.try_get("id")?);
                    }
                }
                let stored: Vec<Alert> = results
                    .alerts
                    .into_iter()
                    .filter(|alert| fresh.remove(&alert.id))
                    .map(|alert| Alert {
                        id: alert.id,
                        kind: alert.kind,
                        subject_kind: alert.subject_kind,
                        subject_id: alert.subject_id,
                        subject_name: alert.subject_name,
                        title: alert.title,
                        details: alert.details,
                        raised_at: now.clone(),
                        acked_at: None,
                        acked_by: None,
                        ack_note: None,
                    })
                    .collect();
                // The outbox: a row per new alert and webhook, a chunk of alerts per statement.
                if webhooks > 0 {
                    for chunk in stored.chunks(UPDATE_CHUNK) {
                        let mut insert = sqlx::QueryBuilder::<$db>::new(
                            "INSERT INTO alert_deliveries (id, alert_id, webhook_id, attempts, \
                             next_attempt_at) \
                             SELECT v.column1 || ':' || w.id, v.column1, w.id, 0, ",
                        );
                        insert.push_bind(now_ms).push(" FROM (");
                        insert.push_values(chunk, |mut values, alert| {
                            values.push_bind(alert.id.clone());
                        });
                        insert.push(") AS v CROSS JOIN webhooks w");
                        insert.build().execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(stored)
            }

            async fn remove_parties(
                &self,
                ids: Vec<String>,
                event: AuditEvent,
            ) -> Result<u64, StoreError> {
                self.remove_watched("watched_parties", "watched party", ids, &event)
                    .await
            }

            async fn remove_orders(
                &self,
                ids: Vec<String>,
                event: AuditEvent,
            ) -> Result<u64, StoreError> {
                self.remove_watched("watched_orders", "watched order", ids, &event)
                    .await
            }

            async fn monitor_state(&self) -> Result<MonitorState, StoreError> {
                let row = sqlx::query(
                    "SELECT list_revision, list_snapshot, rules_date, ruleset_version, run_at \
                     FROM monitor_state WHERE id = 1",
                )
                .fetch_optional(&self.pool)
                .await?;
                let Some(row) = row else {
                    return Ok(MonitorState::default());
                };
                Ok(MonitorState {
                    list_revision: row
                        .try_get::<Option<i64>, _>("list_revision")?
                        .map(|r| to_u64(r, "list revision"))
                        .transpose()?,
                    list_snapshot: row.try_get("list_snapshot")?,
                    rules_date: row.try_get("rules_date")?,
                    ruleset_version: row.try_get("ruleset_version")?,
                    run_at: row.try_get("run_at")?,
                })
            }

            async fn set_monitor_state(&self, state: MonitorState) -> Result<(), StoreError> {
                let _writer = self.write_lock.lock().await;
                sqlx::query(
                    "UPDATE monitor_state SET list_revision = $1, list_snapshot = $2, \
                     rules_date = $3, ruleset_version = $4, run_at = $5 WHERE id = 1",
                )
                .bind(state.list_revision.map(|r| r as i64))
                .bind(state.list_snapshot)
                .bind(state.rules_date)
                .bind(state.ruleset_version)
                .bind(state.run_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn alerts(&self, filter: AlertFilter) -> Result<Vec<Alert>, StoreError> {
                let mut query = sqlx::QueryBuilder::<$db>::new(format!(
                    "SELECT {ALERT_COLUMNS} FROM alerts WHERE 1 = 1"
                ));
                if let Some(kind) = filter.subject_kind {
                    query.push(" AND subject_kind = ").push_bind(kind);
                }
                if let Some(id) = filter.subject_id {
                    query.push(" AND subject_id = ").push_bind(id);
                }
                match filter.acknowledged {
                    Some(true) => {
                        query.push(" AND acked_at IS NOT NULL");
                    }
                    Some(false) => {
                        query.push(" AND acked_at IS NULL");
                    }
                    None => {}
                }
                if let Some(since) = filter.since {
                    query.push(" AND raised_at >= ").push_bind(since);
                }
                if let Some((raised_at, id)) = filter.after {
                    query
                        .push(" AND (raised_at > ")
                        .push_bind(raised_at.clone())
                        .push(" OR (raised_at = ")
                        .push_bind(raised_at)
                        .push(" AND id > ")
                        .push_bind(id)
                        .push("))");
                }
                if let Some(until) = filter.until {
                    query.push(" AND raised_at < ").push_bind(until);
                }
                query
                    .push(" ORDER BY raised_at, id LIMIT ")
                    .push_bind(i64::from(filter.limit))
                    .push(" OFFSET ")
                    .push_bind(filter.offset as i64);
                let rows = query.build().fetch_all(&self.pool).await?;
                rows.iter().map(|row| Self::alert_from(row)).collect()
            }

            async fn alert(&self, id: &str) -> Result<Option<Alert>, StoreError> {
                Self::alert_in(&self.pool, id).await
            }

            async fn ack_alert(
                &self,
                id: &str,
                by: &str,
                note: Option<String>,
                event: AuditEvent,
            ) -> Result<Alert, StoreError> {
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                Self::lock_head(&mut tx).await?;
                let Some(alert) = Self::alert_in(&mut *tx, id).await? else {
                    return Err(StoreError::NotFound {
                        what: "alert",
                        id: id.to_string(),
                    });
                };
                if alert.acked_at.is_some() {
                    return Ok(alert);
                }
                let record = Self::append_in(&mut tx, &event).await?;
                sqlx::query(
                    "UPDATE alerts SET acked_at = $1, acked_by = $2, ack_note = $3 WHERE id = $4",
                )
                .bind(&record.at)
                .bind(by)
                .bind(note)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let alert = Self::alert_in(&mut *tx, id).await?;
                tx.commit().await?;
                alert.ok_or(StoreError::NotFound {
                    what: "alert",
                    id: id.to_string(),
                })
            }

            async fn create_webhook(
                &self,
                webhook: NewWebhook,
                event: AuditEvent,
            ) -> Result<Webhook, StoreError> {
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let record = Self::append_in(&mut tx, &event).await?;
                sqlx::query(
                    "INSERT INTO webhooks (id, url, secret, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&webhook.id)
                .bind(&webhook.url)
                .bind(&webhook.secret)
                .bind(&webhook.created_by)
                .bind(&record.at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Webhook {
                    id: webhook.id,
                    url: webhook.url,
                    created_by: webhook.created_by,
                    created_at: record.at,
                })
            }

            async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError> {
                let rows = sqlx::query(
                    "SELECT id, url, created_by, created_at FROM webhooks ORDER BY created_at, id",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(Webhook {
                            id: row.try_get("id")?,
                            url: row.try_get("url")?,
                            created_by: row.try_get("created_by")?,
                            created_at: row.try_get("created_at")?,
                        })
                    })
                    .collect()
            }

            async fn delete_webhook(&self, id: &str, event: AuditEvent) -> Result<(), StoreError> {
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                Self::lock_head(&mut tx).await?;
                sqlx::query("DELETE FROM alert_deliveries WHERE webhook_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                let deleted = sqlx::query("DELETE FROM webhooks WHERE id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                if deleted.rows_affected() == 0 {
                    return Err(StoreError::NotFound {
                        what: "webhook",
                        id: id.to_string(),
                    });
                }
                Self::append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn claim_deliveries(
                &self,
                lease_ms: u64,
                limit: u32,
            ) -> Result<Vec<Delivery>, StoreError> {
                let now = now_millis();
                let _writer = self.write_lock.lock().await;
                let mut tx = self.pool.begin().await?;
                let claimed = sqlx::query(concat!(
                    "UPDATE alert_deliveries SET lease_until = $1 WHERE id IN (SELECT id FROM \
                     alert_deliveries WHERE delivered_at IS NULL AND next_attempt_at <= $2 \
                     AND (lease_until IS NULL OR lease_until < $2) \
                     ORDER BY next_attempt_at, id LIMIT $3",
                    $skip_locked,
                    ") RETURNING id"
                ))
                .bind(now.saturating_add(lease_ms as i64))
                .bind(now)
                .bind(i64::from(limit))
                .fetch_all(&mut *tx)
                .await?;
                let mut deliveries = Vec::with_capacity(claimed.len());
                for row in claimed {
                    let id: String = row.try_get("id")?;
                    let row = sqlx::query(
                        "SELECT d.alert_id, d.webhook_id, d.attempts, w.url, w.secret \
                         FROM alert_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                         WHERE d.id = $1",
                    )
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await?;
                    let alert_id: String = row.try_get("alert_id")?;
                    let Some(alert) = Self::alert_in(&mut *tx, &alert_id).await? else {
                        continue;
                    };
                    deliveries.push(Delivery {
                        id,
                        alert,
                        webhook_id: row.try_get("webhook_id")?,
                        url: row.try_get("url")?,
                        secret: row.try_get("secret")?,
                        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
                            .map_err(|e| corrupt("delivery attempts", e))?,
                    });
                }
                tx.commit().await?;
                deliveries.sort_by(|a, b| a.alert.raised_at.cmp(&b.alert.raised_at).then_with(|| a.id.cmp(&b.id)));
                Ok(deliveries)
            }

            async fn delivery_succeeded(&self, id: &str) -> Result<(), StoreError> {
                let _writer = self.write_lock.lock().await;
                sqlx::query(
                    "UPDATE alert_deliveries SET delivered_at = $1, attempts = attempts + 1, \
                     lease_until = NULL, last_error = NULL WHERE id = $2 AND delivered_at IS NULL",
                )
                .bind(now_rfc3339())
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn delivery_failed(
                &self,
                id: &str,
                error: &str,
                next_attempt_at: i64,
            ) -> Result<(), StoreError> {
                let _writer = self.write_lock.lock().await;
                sqlx::query(
                    "UPDATE alert_deliveries SET attempts = attempts + 1, last_error = $1, \
                     next_attempt_at = $2, lease_until = NULL WHERE id = $3 AND delivered_at IS NULL",
                )
                .bind(error)
                .bind(next_attempt_at)
                .bind(id)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn deliveries(&self, alert_id: &str) -> Result<Vec<DeliveryStatus>, StoreError> {
                let rows = sqlx::query(
                    "SELECT webhook_id, attempts, delivered_at, last_error, next_attempt_at \
                     FROM alert_deliveries WHERE alert_id = $1 ORDER BY webhook_id",
                )
                .bind(alert_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(DeliveryStatus {
                            webhook_id: row.try_get("webhook_id")?,
                            attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
                                .map_err(|e| corrupt("delivery attempts", e))?,
                            delivered_at: row.try_get("delivered_at")?,
                            last_error: row.try_get("last_error")?,
                            next_attempt_at: row.try_get("next_attempt_at")?,
                        })
                    })
                    .collect()
            }
        }
    };
}

monitor_impl!(SqliteStore, sqlx::Sqlite, "");
monitor_impl!(PostgresStore, sqlx::Postgres, " FOR UPDATE SKIP LOCKED");
