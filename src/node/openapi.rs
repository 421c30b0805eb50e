//! The node's OpenAPI documents, reduced to what kubectl reads before it
//! sends a Pod: that the server validates fields itself (`fieldValidation`
//! on the Pod's PATCH operation), so kubectl leaves the checking to the
//! node, whose validator names each mistake. kubectl 1.27 reads it from the
//! v2 document in protobuf; later ones from the v3 document in JSON.

use serde_json::{Value, json};

const POD_PATH: &str = "/api/v1/namespaces/{namespace}/pods/{name}";
const POD_GVK_YAML: &str = "group: \"\"\nkind: Pod\nversion: v1\n";

/// The v3 discovery document: which group versions have a spec.
pub fn v3_root() -> Value {
    json!({"paths": {"api/v1": {"serverRelativeURL": "/openapi/v3/api/v1?hash=podlearn-1"}}})
}

/// The v3 spec of `api/v1`.
pub fn v3_core() -> Value {
    let op = |action: &str| {
        json!({
            "x-kubernetes-group-version-kind": {"group": "", "version": "v1", "kind": "Pod"},
            "x-kubernetes-action": action,
            "parameters": [{
                "name": "fieldValidation", "in": "query",
                "schema": {"type": "string", "uniqueItems": true},
                "description": "Strict, Warn or Ignore: what to do with unknown or duplicate fields"
            }],
            "responses": {"200": {"description": "OK"}},
        })
    };
    json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes (podlearn's node)", "version": "v1.32.0"},
        "paths": {
            "/api/v1/namespaces/{namespace}/pods": {"post": op("post")},
            POD_PATH: {"patch": op("patch")},
        },
        "components": {"schemas": {}},
    })
}

/// The media type of [`v2_protobuf`].
pub const V2_PROTOBUF: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

/// A protobuf field: its number and wire type 2 (length-delimited).
fn field(out: &mut Vec<u8>, number: u32, bytes: &[u8]) {
    varint(out, u64::from(number << 3 | 2));
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn message(fields: &[(u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (n, b) in fields {
        field(&mut out, *n, b);
    }
    out
}

fn text(s: &str) -> Vec<u8> {
    s.as_bytes().to_vec()
}

/// The v2 document (gnostic's `openapi.v2.Document`): one path, the Pod's
/// PATCH operation, with its kind and the `fieldValidation` query parameter.
pub fn v2_protobuf() -> Vec<u8> {
    // QueryParameterSubSchema { in = 2, name = 4, type = 6 }
    let query = message(&[
        (2, text("query")),
        (4, text("fieldValidation")),
        (6, text("string")),
    ]);
    // NonBodyParameter { query_parameter_sub_schema = 3 } in Parameter
    // { non_body_parameter = 2 } in ParametersItem { parameter = 1 }.
    let param = message(&[(1, message(&[(2, message(&[(3, query)]))]))]);
    // NamedAny { name = 1, value = Any { yaml = 2 } }
    let gvk = message(&[
        (1, text("x-kubernetes-group-version-kind")),
        (2, message(&[(2, text(POD_GVK_YAML))])),
    ]);
    // Operation { parameters = 8, vendor_extension = 13 }
    let patch = message(&[(8, param), (13, gvk)]);
    // NamedPathItem { name = 1, value = PathItem { patch = 8 } }
    let path = message(&[(1, text(POD_PATH)), (2, message(&[(8, patch)]))]);
    // Document { swagger = 1, info = 2 { title = 1, version = 2 }, paths = 8 { path = 2 } }
    message(&[
        (1, text("2.0")),
        (
            2,
            message(&[
                (1, text("Kubernetes (podlearn's node)")),
                (2, text("v1.32.0")),
            ]),
        ),
        (8, message(&[(2, path)])),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_and_fields_are_encoded_as_protobuf_does() {
        let mut v = Vec::new();
        varint(&mut v, 300);
        assert_eq!(v, [0xac, 0x02]);
        assert_eq!(message(&[(1, text("2.0"))]), [0x0a, 3, b'2', b'.', b'0']);
        let doc = v2_protobuf();
        assert!(doc.windows(15).any(|w| w == b"fieldValidation"));
    }
}
