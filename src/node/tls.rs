//! The node's credentials: a self-signed certificate for 127.0.0.1 and a
//! bearer token, made once per learner and kept in the node's folder, and
//! the kubeconfig that tells a client about both.

use std::path::Path;

use anyhow::Context;
use base64::Engine as _;

pub struct Credentials {
    pub cert_pem: String,
    pub key_pem: String,
    pub token: String,
}

impl Credentials {
    /// The credentials kept in `dir`, or new ones (then kept there, readable
    /// by this user only).
    pub fn load_or_create(dir: &Path) -> anyhow::Result<Credentials> {
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).ok();
        if let (Some(cert_pem), Some(key_pem), Some(token)) =
            (read("cert.pem"), read("key.pem"), read("token"))
            && !token.trim().is_empty()
        {
            return Ok(Credentials {
                cert_pem,
                key_pem,
                token: token.trim().to_string(),
            });
        }
        let made = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_string(),
            "localhost".to_string(),
        ])
        .context("making the node's certificate")?;
        let creds = Credentials {
            cert_pem: made.cert.pem(),
            key_pem: made.signing_key.serialize_pem(),
            token: format!(
                "{}{}",
                crate::random::random_hex(),
                crate::random::random_hex()
            ),
        };
        for (file, text) in [
            ("cert.pem", &creds.cert_pem),
            ("key.pem", &creds.key_pem),
            ("token", &creds.token),
        ] {
            crate::atomic_file::write(&dir.join(file), text.as_bytes(), false)
                .with_context(|| format!("saving the node's {file}"))?;
        }
        Ok(creds)
    }
}

/// A kubeconfig with one cluster, user and context, all named `podlearn`.
pub fn kubeconfig(port: u16, creds: &Credentials, learner: &str) -> String {
    let ca = base64::engine::general_purpose::STANDARD.encode(&creds.cert_pem);
    format!(
        "# Written by podlearn for learner {learner}: its node on this machine.\n\
         apiVersion: v1\n\
         kind: Config\n\
         clusters:\n\
         - name: podlearn\n\
         \x20 cluster:\n\
         \x20   server: https://127.0.0.1:{port}\n\
         \x20   certificate-authority-data: {ca}\n\
         users:\n\
         - name: podlearn\n\
         \x20 user:\n\
         \x20   token: {token}\n\
         contexts:\n\
         - name: podlearn\n\
         \x20 context:\n\
         \x20   cluster: podlearn\n\
         \x20   user: podlearn\n\
         \x20   namespace: default\n\
         current-context: podlearn\n",
        token = creds.token
    )
}
