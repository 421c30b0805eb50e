//! `kubectl exec` (and `exec -it`): the Pod's `exec` subresource streamed
//! over a WebSocket, as kubectl 1.30 and later speak it (the
//! `v5.channel.k8s.io` protocol, `v4` too). Each binary message starts with
//! its channel: 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 a
//! terminal size (`{"Width":80,"Height":24}`), and in v5, 255 closes a
//! channel (`[255, 0]`: end of stdin). Older kubectls ask for SPDY, which
//! the node does not speak: they get a Status that says what to use.

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::sync::mpsc;

use super::api::{Node, failure, internal, pod_not_found};
use crate::runtime::PodRecord;
use crate::status::{ContainerState, Phase};

pub const STDIN: u8 = 0;
pub const STDOUT: u8 = 1;
pub const STDERR: u8 = 2;
pub const ERROR: u8 = 3;
pub const RESIZE: u8 = 4;
pub const CLOSE: u8 = 255;

/// The subprotocols served, preferred first.
const PROTOCOLS: [&str; 2] = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/// What the request asks to run, from its query (`command` repeats).
#[derive(Debug, Default, PartialEq)]
pub struct ExecRequest {
    pub container: Option<String>,
    pub command: Vec<String>,
    pub stdin: bool,
    pub tty: bool,
}

impl ExecRequest {
    pub fn parse(query: &str) -> ExecRequest {
        let mut r = ExecRequest::default();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let yes = value == "true" || value == "1";
            match &*key {
                "container" => r.container = Some(value.into_owned()),
                "command" => r.command.push(value.into_owned()),
                "stdin" => r.stdin = yes,
                "tty" => r.tty = yes,
                _ => {}
            }
        }
        r
    }
}

/// The container to run in, or the API's answer when there is none to run
/// in: no such Pod, no such container, or one that is not running.
async fn target(
    node: &Node,
    ns: &str,
    name: &str,
    req: &ExecRequest,
) -> Result<(PodRecord, String), Box<Response>> {
    let record = match node.record(ns, name).await {
        Ok(Some(r)) => r,
        Ok(None) => return Err(Box::new(pod_not_found(name))),
        Err(e) => return Err(Box::new(internal(e))),
    };
    if matches!(record.status.phase, Phase::Succeeded | Phase::Failed) {
        return Err(Box::new(failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!(
                "cannot exec into a container in a completed pod; current phase is {}",
                record.status.phase.as_str()
            ),
            None,
        )));
    }
    let container = super::api::container_of(&record, req.container.as_deref())?;
    let state = record
        .status
        .init_container_statuses
        .iter()
        .chain(&record.status.container_statuses)
        .find(|c| c.name == container)
        .map(|c| &c.state);
    match state {
        None => Err(Box::new(failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!("container {container} is not valid for pod {name}"),
            None,
        ))),
        Some(ContainerState::Running { .. }) => Ok((record, container)),
        Some(_) => Err(Box::new(failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!(
                "unable to upgrade connection: container not found (\"{container}\" is not running)"
            ),
            None,
        ))),
    }
}

/// `GET .../exec` with a WebSocket upgrade.
pub async fn exec_websocket(
    State(node): State<Node>,
    Path((ns, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let req = ExecRequest::parse(query.as_deref().unwrap_or(""));
    let (record, container) = match target(&node, &ns, &name, &req).await {
        Ok(t) => t,
        Err(answer) => return *answer,
    };
    let Ok(upgrade) = upgrade else {
        return failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "exec streams over a WebSocket: connect with an Upgrade: websocket request",
            None,
        );
    };
    if req.command.is_empty() {
        return failure(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "you must specify at least 1 command",
            None,
        );
    }
    upgrade
        .protocols(PROTOCOLS)
        .on_upgrade(move |socket| stream(node, record, container, req, socket))
        .into_response()
}

/// `POST .../exec`: SPDY, which kubectl before 1.30 asks for.
pub async fn exec_spdy(
    State(node): State<Node>,
    Path((ns, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Response {
    let req = ExecRequest::parse(query.as_deref().unwrap_or(""));
    if let Err(answer) = target(&node, &ns, &name, &req).await {
        return *answer;
    }
    failure(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "podlearn's node streams exec over WebSocket, as kubectl 1.30 and later do; this \
         kubectl asked for SPDY. Use a newer kubectl, or `podlearn exec`",
        None,
    )
}

/// Run the command with the socket as its terminal or pipes; send the
/// final Status on the error channel, then close.
async fn stream(
    node: Node,
    record: PodRecord,
    container: String,
    req: ExecRequest,
    socket: WebSocket,
) {
    let v5 = socket
        .protocol()
        .is_some_and(|p| p.as_bytes() == PROTOCOLS[0].as_bytes());
    let (mut sink, mut source) = socket.split();
    let (in_tx, input) = mpsc::channel::<Vec<u8>>(16);
    let (size_tx, resize) = mpsc::channel::<(u16, u16)>(4);
    let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(m) = out_rx.recv().await {
            if sink.send(m).await.is_err() {
                break;
            }
        }
        // A normal closure (1000): client-go reads it as the end of every
        // stream, and anything else as an error.
        let normal = axum::extract::ws::CloseFrame {
            code: axum::extract::ws::close_code::NORMAL,
            reason: "".into(),
        };
        let _ = sink.send(Message::Close(Some(normal))).await;
        let _ = sink.close().await;
    });
    let reader = tokio::spawn(async move {
        let mut stdin = req.stdin.then_some(in_tx);
        while let Some(Ok(m)) = source.next().await {
            let Message::Binary(data) = m else {
                if matches!(m, Message::Close(_)) {
                    break;
                }
                continue;
            };
            match data.split_first() {
                Some((&STDIN, bytes)) => {
                    if let Some(tx) = &stdin
                        && tx.send(bytes.to_vec()).await.is_err()
                    {
                        stdin = None;
                    }
                }
                Some((&RESIZE, bytes)) => {
                    if let Ok(size) = serde_json::from_slice::<serde_json::Value>(bytes)
                        && let (Some(w), Some(h)) =
                            (size["Width"].as_u64(), size["Height"].as_u64())
                    {
                        let _ = size_tx.send((w as u16, h as u16)).await;
                    }
                }
                Some((&CLOSE, [STDIN])) if v5 => stdin = None,
                _ => {}
            }
        }
    });
    let tty = req.tty;
    let ran = {
        let sent = out_tx.clone();
        let mut output = move |stderr: bool, bytes: &[u8]| {
            let channel = if stderr && !tty { STDERR } else { STDOUT };
            let _ = sent.send(frame(channel, bytes));
        };
        let io = crate::runtime::AttachedIo {
            tty,
            input,
            resize,
            output: &mut output,
        };
        node.engine()
            .exec_attached_in(&record, &container, &req.command, io)
            .await
    };
    let status = match ran {
        Ok(0) => json!({"metadata": {}, "status": "Success"}),
        Ok(code) => json!({
            "metadata": {},
            "status": "Failure",
            "message": format!(
                "command terminated with non-zero exit code: error executing command {:?}, exit code {code}",
                req.command
            ),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": code.to_string()}]},
        }),
        Err(e) => json!({
            "metadata": {},
            "status": "Failure",
            "message": format!("{e:#}"),
            "reason": "InternalError",
        }),
    };
    let _ = out_tx.send(frame(ERROR, status.to_string().as_bytes()));
    // The last sender: the writer sends what is queued, then closes.
    drop(out_tx);
    reader.abort();
    let _ = writer.await;
}

/// A binary message on `channel`.
pub fn frame(channel: u8, bytes: &[u8]) -> Message {
    let mut data = Vec::with_capacity(bytes.len() + 1);
    data.push(channel);
    data.extend_from_slice(bytes);
    Message::Binary(Bytes::from(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_carries_each_word_of_the_command() {
        let r = ExecRequest::parse(
            "command=sh&command=-c&command=echo%20hi%3B%20exit%203&container=app&stdin=true&stdout=true&tty=false",
        );
        assert_eq!(
            r,
            ExecRequest {
                container: Some("app".into()),
                command: vec!["sh".into(), "-c".into(), "echo hi; exit 3".into()],
                stdin: true,
                tty: false,
            }
        );
    }

    #[test]
    fn a_frame_starts_with_its_channel() {
        let Message::Binary(b) = frame(STDERR, b"oops") else {
            panic!("not binary");
        };
        assert_eq!(&b[..], b"\x02oops");
    }
}
