//! `chokepoint keys`: create (the key is printed once, as the last line of standard output;
//! only its hash is stored), list and revoke API keys. Every change is audited.

use crate::args::KeysCommand;
use crate::commands::serve::{open_store, runtime};
use chokepoint_engine::DataDir;
use chokepoint_store::{AuditEvent, NewKey, Role};
use std::process::ExitCode;

/// Who the audit trail names for the command line.
pub fn cli_actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_string());
    format!("cli:{user}")
}

pub fn run(data_dir: &DataDir, command: KeysCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        match command {
            KeysCommand::Create {
                role,
                name,
                database,
            } => {
                let store = open_store(data_dir, &database).await?;
                let role = role.to_role();
                let (new_key, secret) = NewKey::generate(name.as_deref().unwrap_or(""), role)
                    .map_err(|e| anyhow::anyhow!("cannot make a random key: {e}"))?;
                let event = AuditEvent {
                    kind: "key_created".to_string(),
                    actor: cli_actor(),
                    inputs: serde_json::json!({ "role": role, "name": new_key.name }),
                    outputs: serde_json::json!({ "id": new_key.id }),
                    list_snapshot: None,
                    rule_set: None,
                };
                let key = store.create_key(new_key, event).await?;
                eprintln!(
                    "created {} key `{}` (id {}). This is the only time it is shown; store it now.",
                    key.role, key.name, key.id
                );
                println!("{secret}");
                Ok(ExitCode::SUCCESS)
            }
            KeysCommand::List { database } => {
                let store = open_store(data_dir, &database).await?;
                for key in store.keys().await? {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        key.id,
                        key.role,
                        key.name,
                        key.created_at,
                        key.revoked_at
                            .map(|at| format!("revoked {at}"))
                            .unwrap_or_else(|| "active".to_string())
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            KeysCommand::Revoke { id, database } => {
                let store = open_store(data_dir, &database).await?;
                let event = AuditEvent {
                    kind: "key_revoked".to_string(),
                    actor: cli_actor(),
                    inputs: serde_json::json!({ "id": id }),
                    outputs: serde_json::json!({}),
                    list_snapshot: None,
                    rule_set: None,
                };
                let key = store.revoke_key(&id, event).await?;
                eprintln!(
                    "revoked key `{}` ({}); servers stop accepting it within 10 s",
                    key.name, key.id,
                );
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}

impl crate::args::RoleArg {
    pub fn to_role(self) -> Role {
        match self {
            crate::args::RoleArg::Admin => Role::Admin,
            crate::args::RoleArg::Analyst => Role::Analyst,
            crate::args::RoleArg::Viewer => Role::Viewer,
        }
    }
}
