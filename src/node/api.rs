//! The routes of the node's Kubernetes API: discovery (`/version`, `/api`,
//! `/apis`, `/api/v1`), and Pods (`list`, `get`, `create`, `delete`, `log`,
//! `exec`).
//! Every request carries the learner's bearer token. What is not served is
//! answered as an API server answers it: a `Status` with its reason and
//! code, never a hang.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::sync::Mutex;

use super::tls::Credentials;
use super::{events, exec, objects, openapi, watch};
use crate::runtime::{Engine, PodRecord, RunOptions, RunningPod};

/// What the routes share: the engine, whose node this is, and the Pods it
/// is the kubelet of.
#[derive(Clone)]
pub struct Node(Arc<Inner>);

struct Inner {
    engine: Engine,
    learner: String,
    token: String,
    owned: Mutex<BTreeMap<(String, String), RunningPod>>,
}

impl Node {
    pub fn new(engine: Engine, learner: String, token: String) -> Node {
        Node(Arc::new(Inner {
            engine,
            learner,
            token,
            owned: Mutex::new(BTreeMap::new()),
        }))
    }

    /// Delete every Pod this node is the kubelet of (when the node stops).
    pub async fn delete_owned(&self) {
        let owned = std::mem::take(&mut *self.0.owned.lock().await);
        futures_util::future::join_all(owned.into_values().map(|p| p.delete(None))).await;
    }

    pub(super) fn engine(&self) -> &Engine {
        &self.0.engine
    }

    /// The learner's Pods on the engine, in `namespace` (all with None).
    async fn records(&self, namespace: Option<&str>) -> anyhow::Result<Vec<PodRecord>> {
        let all = crate::runtime::find_pods(&self.0.engine, Some(&self.0.learner), None).await?;
        Ok(all
            .into_iter()
            .filter(|r| namespace.is_none_or(|ns| r.namespace == ns))
            .collect())
    }

    pub(super) async fn record(
        &self,
        namespace: &str,
        name: &str,
    ) -> anyhow::Result<Option<PodRecord>> {
        let found =
            crate::runtime::find_pods(&self.0.engine, Some(&self.0.learner), Some(name)).await?;
        Ok(found.into_iter().find(|r| r.namespace == namespace))
    }
}

/// Serve the API over TLS on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: std::net::TcpListener,
    creds: &Credentials,
    node: Node,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    // ring, not aws-lc-rs: it builds without a C toolchain's cmake, and the
    // node listens on 127.0.0.1 only, where post-quantum key exchange (the
    // reason rustls now prefers aws-lc-rs) protects nothing a local user
    // could not read from the node's folder anyway.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = axum_server::tls_rustls::RustlsConfig::from_pem(
        creds.cert_pem.clone().into_bytes(),
        creds.key_pem.clone().into_bytes(),
    )
    .await?;
    let app = router(node);
    let handle = axum_server::Handle::new();
    let server = axum_server::from_tcp_rustls(listener, config)?
        .handle(handle.clone())
        .serve(app.into_make_service());
    tokio::pin!(server);
    tokio::select! {
        r = &mut server => r?,
        _ = shutdown => {
            handle.graceful_shutdown(Some(Duration::from_secs(5)));
            let _ = server.await;
        }
    }
    Ok(())
}

fn router(node: Node) -> Router {
    Router::new()
        .route("/version", get(version))
        .route("/api", get(api_versions))
        .route("/apis", get(api_groups))
        .route("/api/v1", get(core_resources))
        .route("/openapi/v2", get(openapi_v2))
        .route(
            "/openapi/v3",
            get(async || axum::Json(openapi::v3_root()).into_response()),
        )
        .route(
            "/openapi/v3/api/v1",
            get(async || axum::Json(openapi::v3_core()).into_response()),
        )
        .route("/api/v1/pods", get(list_all_pods))
        .route("/api/v1/events", get(list_all_events))
        .route("/api/v1/namespaces/{ns}/events", get(list_events))
        .route(
            "/api/v1/namespaces/{ns}/pods",
            get(list_pods).post(create_pod),
        )
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}",
            get(get_pod)
                .delete(delete_pod)
                .patch(cannot_change)
                .put(cannot_change),
        )
        .route("/api/v1/namespaces/{ns}/pods/{name}/log", get(pod_log))
        .route(
            "/api/v1/namespaces/{ns}/pods/{name}/exec",
            get(exec::exec_websocket).post(exec::exec_spdy),
        )
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(node.clone(), authorize))
        .with_state(node)
}

/// The API's answer to a failed request.
pub(super) fn failure(
    code: StatusCode,
    reason: &str,
    message: &str,
    name: Option<&str>,
) -> Response {
    let status = objects::error_status(code.as_u16(), reason, message, name);
    (code, axum::Json(status)).into_response()
}

pub(super) fn internal(e: anyhow::Error) -> Response {
    failure(
        StatusCode::INTERNAL_SERVER_ERROR,
        "InternalError",
        &format!("{e:#}"),
        None,
    )
}

pub(super) fn pod_not_found(name: &str) -> Response {
    failure(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("pods \"{name}\" not found"),
        Some(name),
    )
}

async fn authorize(State(node): State<Node>, req: Request, next: Next) -> Response {
    let expected = format!("Bearer {}", node.0.token);
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if given != Some(expected.as_str()) {
        return failure(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Unauthorized",
            None,
        );
    }
    next.run(req).await
}

async fn not_found() -> Response {
    failure(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource (podlearn's node serves Pods in this version)",
        None,
    )
}

async fn version() -> Response {
    axum::Json(json!({
        "major": "1",
        "minor": "32",
        "gitVersion": "v1.32.0-podlearn",
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "",
        "compiler": "podlearn",
        "platform": "linux/amd64",
    }))
    .into_response()
}

async fn api_versions() -> Response {
    axum::Json(json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
    }))
    .into_response()
}

async fn api_groups() -> Response {
    axum::Json(json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})).into_response()
}

async fn core_resources() -> Response {
    axum::Json(json!({
        "kind": "APIResourceList",
        "groupVersion": "v1",
        "resources": [
            {"name": "pods", "singularName": "pod", "namespaced": true, "kind": "Pod",
             "verbs": ["create", "delete", "get", "list", "watch"], "shortNames": ["po"],
             "categories": ["all"]},
            {"name": "events", "singularName": "event", "namespaced": true, "kind": "Event",
             "verbs": ["get", "list"], "shortNames": ["ev"]},
            {"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod",
             "verbs": ["get"]},
            {"name": "pods/exec", "singularName": "", "namespaced": true, "kind": "PodExecOptions",
             "verbs": ["create", "get"]},
        ],
    }))
    .into_response()
}

async fn openapi_v2() -> Response {
    (
        [(header::CONTENT_TYPE, openapi::V2_PROTOBUF)],
        openapi::v2_protobuf(),
    )
        .into_response()
}

/// Whether the client asked for a server-side Table (`kubectl get`).
fn wants_table(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("as=Table"))
}

async fn list_all_pods(
    State(node): State<Node>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    list(node, None, headers, q).await
}

async fn list_pods(
    State(node): State<Node>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    list(node, Some(ns), headers, q).await
}

async fn list(
    node: Node,
    ns: Option<String>,
    headers: HeaderMap,
    q: BTreeMap<String, String>,
) -> Response {
    let records = match node.records(ns.as_deref()).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let records = match select(records, &q) {
        Ok(r) => r,
        Err(answer) => return *answer,
    };
    if watching(&q) {
        return watch(node, ns, q, wants_table(&headers), records);
    }
    if wants_table(&headers) {
        let full = q.get("includeObject").is_some_and(|v| v == "Object");
        return axum::Json(objects::pod_table(&records, full)).into_response();
    }
    axum::Json(objects::pod_list(&records)).into_response()
}

async fn list_all_events(
    State(node): State<Node>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    list_of_events(node, None, headers, q).await
}

async fn list_events(
    State(node): State<Node>,
    Path(ns): Path<String>,
    headers: HeaderMap,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    list_of_events(node, Some(ns), headers, q).await
}

/// The events of the learner's Pods (in `ns`), oldest first, as selected
/// by a `fieldSelector` (`kubectl describe` asks for one Pod's).
async fn list_of_events(
    node: Node,
    ns: Option<String>,
    headers: HeaderMap,
    q: BTreeMap<String, String>,
) -> Response {
    if watching(&q) {
        return failure(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "podlearn's node does not watch events: run `kubectl get events` again \
             (or `kubectl get pods -w`)",
            None,
        );
    }
    let records = match node.records(ns.as_deref()).await {
        Ok(r) => r,
        Err(e) => return internal(e),
    };
    let selector = q
        .get("fieldSelector")
        .map(String::as_str)
        .unwrap_or_default();
    let mut all = Vec::new();
    for e in records.iter().flat_map(events::of_pod) {
        match events::selected(&e, selector) {
            Ok(true) => all.push(e),
            Ok(false) => {}
            Err(term) => {
                return failure(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!("field label not supported: {term}"),
                    None,
                );
            }
        }
    }
    all.sort_by_key(|e| e.last_timestamp.as_ref().map(|t| t.0));
    if wants_table(&headers) {
        return axum::Json(events::table(&all)).into_response();
    }
    axum::Json(events::list(all)).into_response()
}

/// The records a list's `fieldSelector` and `labelSelector` keep, or the
/// API's answer to a selector it does not understand.
fn select(
    mut records: Vec<PodRecord>,
    q: &BTreeMap<String, String>,
) -> Result<Vec<PodRecord>, Box<Response>> {
    if let Some(fs) = q.get("fieldSelector").filter(|f| !f.is_empty()) {
        for term in fs.split(',') {
            let Some(name) = term.strip_prefix("metadata.name=") else {
                return Err(Box::new(failure(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!(
                        "field label not supported: {term} (podlearn's node selects by metadata.name)"
                    ),
                    None,
                )));
            };
            records.retain(|r| r.name == name);
        }
    }
    let Some(ls) = q.get("labelSelector").filter(|l| !l.is_empty()) else {
        return Ok(records);
    };
    let mut kept = Vec::new();
    for r in records {
        match objects::selector_matches(ls, &r.pod.metadata.labels) {
            Ok(true) => kept.push(r),
            Ok(false) => {}
            Err(term) => {
                return Err(Box::new(failure(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    &format!(
                        "unable to parse requirement {term:?}: podlearn's node understands \
                         key=value, key!=value, key and !key"
                    ),
                    None,
                )));
            }
        }
    }
    Ok(kept)
}

/// How often a watch looks at the engine again.
const WATCH_EVERY: Duration = Duration::from_millis(300);

/// Stream what changes among the selected Pods after the list whose
/// `resourceVersion` the client gives, one JSON event per line, until
/// `timeoutSeconds` (30 minutes without) or the client goes away.
fn watch(
    node: Node,
    ns: Option<String>,
    q: BTreeMap<String, String>,
    table: bool,
    first: Vec<PodRecord>,
) -> Response {
    let timeout = q
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(Duration::from_secs(1800), Duration::from_secs);
    let full = q.get("includeObject").is_some_and(|v| v == "Object");
    let mut seen =
        watch::Seen::<PodRecord>::from_version(q.get("resourceVersion").map(String::as_str));
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(16);
    tokio::spawn(async move {
        let until = tokio::time::Instant::now() + timeout;
        let mut records = first;
        loop {
            let now = records.into_iter().map(|r| (objects::pod(&r), r)).collect();
            for change in seen.changes(now) {
                let object = match (table, &change.extra) {
                    (false, _) => serde_json::to_value(&change.pod).unwrap_or(Value::Null),
                    (true, Some(r)) => objects::pod_table(std::slice::from_ref(r), full),
                    // A Pod gone before the watch began, known by name only:
                    // no row to print.
                    (true, None) => continue,
                };
                let mut line = json!({"type": change.kind.as_str(), "object": object}).to_string();
                line.push('\n');
                if tx.send(Ok(Bytes::from(line))).await.is_err() {
                    return;
                }
            }
            tokio::select! {
                _ = tokio::time::sleep_until(until) => return,
                _ = tx.closed() => return,
                _ = tokio::time::sleep(WATCH_EVERY) => {}
            }
            records = match node.records(ns.as_deref()).await {
                Ok(r) => select(r, &q).unwrap_or_default(),
                Err(_) => return,
            };
        }
    });
    let lines = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|line| (line, rx))
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(lines),
    )
        .into_response()
}

async fn get_pod(
    State(node): State<Node>,
    Path((ns, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    match node.record(&ns, &name).await {
        Ok(Some(r)) if wants_table(&headers) => {
            axum::Json(objects::pod_table(&[r], false)).into_response()
        }
        Ok(Some(r)) => axum::Json(objects::pod(&r)).into_response(),
        Ok(None) => pod_not_found(&name),
        Err(e) => internal(e),
    }
}

/// `kubectl apply` of a changed Pod, `kubectl label`, `kubectl replace`.
async fn cannot_change(Path((_, name)): Path<(String, String)>) -> Response {
    failure(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        &format!(
            "podlearn's node does not change a Pod once it runs (a cluster allows few changes \
             either): delete it and create it again, e.g. `kubectl delete pod {name}` then \
             `kubectl apply -f FILE`"
        ),
        Some(&name),
    )
}

/// Create a Pod from the request's body (JSON or YAML): validated as
/// `podlearn validate` does, then run by this node.
async fn create_pod(State(node): State<Node>, Path(ns): Path<String>, body: Bytes) -> Response {
    let text = String::from_utf8_lossy(&body).into_owned();
    let loaded = crate::manifest::load_str("request body", &text);
    if loaded.refused(false) {
        let mut out = Vec::new();
        let _ = crate::manifest::render_text(&loaded, crate::term::Style::PLAIN, &mut out);
        return failure(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            &format!(
                "the Pod is invalid:\n{}\n(`podlearn validate FILE` shows each mistake at its line in your file)",
                String::from_utf8_lossy(&out).trim_end()
            ),
            None,
        );
    }
    let mut pods = loaded.pods().map(|(_, p)| p.clone());
    let (Some(mut pod), None) = (pods.next(), pods.next()) else {
        return failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the body of a request to /pods must be one object of kind Pod",
            None,
        );
    };
    // The body as sent (JSON from kubectl; YAML reads it too), to compare
    // its namespace and to record it with the request's.
    let mut doc: Value = serde_json::from_str(&text)
        .ok()
        .or_else(|| serde_saphyr::from_str(&text).ok())
        .unwrap_or(Value::Null);
    let declared = doc["metadata"]["namespace"].as_str().map(String::from);
    if declared.as_ref().is_some_and(|d| *d != ns) {
        return failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "the namespace of the provided object does not match the namespace sent on the request",
            None,
        );
    }
    pod.metadata.namespace = ns.clone();
    let name = pod.metadata.name.clone();
    let mut owned = node.0.owned.lock().await;
    match node.record(&ns, &name).await {
        Ok(None) => {}
        Ok(Some(_)) => {
            return failure(
                StatusCode::CONFLICT,
                "AlreadyExists",
                &format!("pods \"{name}\" already exists"),
                Some(&name),
            );
        }
        Err(e) => return internal(e),
    }
    // A Pod of this name that the node ran before was deleted from elsewhere
    // (`podlearn delete`): forget it, without touching the new one.
    if let Some(old) = owned.remove(&(ns.clone(), name.clone())) {
        old.abandon();
    }
    // A namespace other than the manifest's: record the text with it.
    let recorded = if doc.is_object() {
        doc["metadata"]["namespace"] = json!(ns);
        doc.to_string()
    } else {
        text.clone()
    };
    let opts = RunOptions {
        detached: true,
        ..RunOptions::default()
    };
    let inputs = crate::podenv::Inputs::default();
    let started = node
        .0
        .engine
        .start_pod_from(&pod, &inputs, &opts, Some(("kubectl", &recorded)))
        .await;
    let running = match started {
        Ok(p) => p,
        Err(e) => return internal(e),
    };
    owned.insert((ns.clone(), name.clone()), running);
    drop(owned);
    match node.record(&ns, &name).await {
        Ok(Some(r)) => (StatusCode::CREATED, axum::Json(objects::pod(&r))).into_response(),
        Ok(None) => pod_not_found(&name),
        Err(e) => internal(e),
    }
}

/// Delete a Pod gracefully (preStop hooks, stop signal, SIGKILL after the
/// grace period), then answer with it as it was: kubectl waits until it is
/// gone, and it is.
async fn delete_pod(
    State(node): State<Node>,
    Path((ns, name)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
    body: Bytes,
) -> Response {
    let record = match node.record(&ns, &name).await {
        Ok(Some(r)) => r,
        Ok(None) => return pod_not_found(&name),
        Err(e) => return internal(e),
    };
    let from_body = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["gracePeriodSeconds"].as_u64());
    let grace = q
        .get("gracePeriodSeconds")
        .and_then(|g| g.parse::<u64>().ok())
        .or(from_body)
        .unwrap_or(record.pod.spec.termination_grace_period_seconds);
    let grace = Duration::from_secs(grace);
    // Watchers and `get` see it Terminating from now on.
    record.mark_deleting();
    let answer = objects::pod(&record);
    let owned = node
        .0
        .owned
        .lock()
        .await
        .remove(&(ns.clone(), name.clone()));
    let done = match owned {
        Some(p) => p.delete(Some(grace)).await,
        None => {
            if record.detached
                && let Some(owner) = record.labels.get("io.podlearn.owner")
            {
                let owner = owner.clone();
                let _ = tokio::task::spawn_blocking(move || super::stop_owner_unless_node(&owner))
                    .await;
            }
            node.0.engine.delete_record(&record, grace).await
        }
    };
    match done {
        Ok(()) => axum::Json(answer).into_response(),
        Err(e) => internal(e),
    }
}

/// The container a request names, or the one it means when it names none
/// (the only app container), or the API's answer listing the choices.
pub(super) fn container_of(
    record: &PodRecord,
    given: Option<&str>,
) -> Result<String, Box<Response>> {
    if let Some(c) = given {
        return Ok(c.to_string());
    }
    if let Some(c) = record.sole_app_container() {
        return Ok(c.to_string());
    }
    let names: Vec<&str> = record
        .pod
        .spec
        .containers
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    Err(Box::new(failure(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        &format!(
            "a container name must be specified for pod {}, choose one of: [{}]",
            record.name,
            names.join(" ")
        ),
        None,
    )))
}

/// Whether a list asks to watch (`?watch=true`).
fn watching(q: &BTreeMap<String, String>) -> bool {
    q.get("watch").is_some_and(|w| w == "true" || w == "1")
}

/// A container's log: `container`, `previous`, `tailLines`, `follow`.
async fn pod_log(
    State(node): State<Node>,
    Path((ns, name)): Path<(String, String)>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let record = match node.record(&ns, &name).await {
        Ok(Some(r)) => r,
        Ok(None) => return pod_not_found(&name),
        Err(e) => return internal(e),
    };
    let container = match container_of(&record, q.get("container").map(String::as_str)) {
        Ok(c) => c,
        Err(answer) => return *answer,
    };
    let previous = q.get("previous").is_some_and(|p| p == "true");
    let id = match record.container_id(&container, previous) {
        Ok(id) => id,
        Err(e) => {
            return failure(StatusCode::BAD_REQUEST, "BadRequest", &format!("{e}"), None);
        }
    };
    let follow = q.get("follow").is_some_and(|f| f == "true");
    let tail = q.get("tailLines").and_then(|t| t.parse::<usize>().ok());
    if follow && tail.is_some() {
        return failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "podlearn's node does not follow a log from its last lines yet: use --tail or -f, \
             not both",
            None,
        );
    }
    let stream = node.0.engine.logs_of(&id, follow);
    if follow {
        let body = Body::from_stream(stream.map(|r| r.map_err(std::io::Error::other)));
        return (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], body).into_response();
    }
    let mut text = String::new();
    let mut stream = Box::pin(stream);
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(c) => text.push_str(&c),
            Err(e) => return internal(e),
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain")],
        tail_lines(&text, tail),
    )
        .into_response()
}

/// The last `n` lines of `text` (all of it with None).
fn tail_lines(text: &str, n: Option<usize>) -> String {
    let Some(n) = n else {
        return text.to_string();
    };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    lines[lines.len().saturating_sub(n)..].concat()
}
