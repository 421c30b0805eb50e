//! `[[inject]]` into a ConfigMap or Secret key: the grader sets the key in the
//! learner's object before the pod starts, and the format says what is missing.

use podlearn::exercise::format;
use podlearn::grade::{Tokens, inject_objects};
use podlearn::manifest::model::Resource;

const MANIFEST: &str = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: shop-config
data:
  shop-name: written by the learner
  other: kept
---
apiVersion: v1
kind: Secret
metadata:
  name: shop-api
stringData:
  api-key: learner
";

fn exercise(injects: &str) -> Result<podlearn::exercise::Exercise, format::FormatError> {
    let text = format!(
        "format_version = 1\ntitle = \"t\"\nlesson = \"storage\"\nhints = [\"h\"]\n{injects}\n\
         [[check]]\nid = \"c\"\nkind = \"logs\"\ncontainer = \"web\"\noutput = {{ contains = \"x\" }}\nhint = \"h\"\n"
    );
    format::parse("ex", "exercise.toml", &text)
}

#[test]
fn configmap_and_secret_keys_get_the_token_and_the_rest_is_kept() {
    let ex = exercise(
        "[[inject]]\nname = \"shop\"\nconfigmap = \"shop-config\"\nkey = \"shop-name\"\n\
         [[inject]]\nname = \"api\"\nsecret = \"shop-api\"\nkey = \"api-key\"\n\
         [[inject]]\nname = \"absent\"\nconfigmap = \"no-such-map\"\nkey = \"k\"\n",
    )
    .expect("the injections parse");
    let loaded = podlearn::manifest::load_str("m.yaml", MANIFEST);
    assert!(!loaded.has_errors());
    let tokens = Tokens::fixed(&[("shop", "pl-shop"), ("api", "pl-api"), ("absent", "pl-x")]);
    let out = inject_objects(&ex.inject, &loaded.objects, &tokens);
    assert_eq!(out.len(), 2, "a missing object is not invented");
    let mut seen = 0;
    for o in &out {
        match &o.resource {
            Resource::ConfigMap(cm) => {
                assert_eq!(cm.data["shop-name"], "pl-shop");
                assert_eq!(cm.data["other"], "kept");
                seen += 1;
            }
            Resource::Secret(s) => {
                assert_eq!(s.data["api-key"], b"pl-api".to_vec());
                seen += 1;
            }
            _ => {}
        }
    }
    assert_eq!(seen, 2);
    // The learner's objects themselves are untouched.
    match &loaded.objects[0].resource {
        Resource::ConfigMap(cm) => assert_eq!(cm.data["shop-name"], "written by the learner"),
        other => panic!("expected the ConfigMap first, got {}", other.kind()),
    }
}

#[test]
fn a_label_injection_labels_the_pod_and_a_controllers_template() {
    let ex = exercise("[[inject]]\nname = \"run\"\nlabel = \"run-id\"\n").expect("parses");
    let tokens = Tokens::fixed(&[("run", "pl-0123456789")]);
    let loaded = podlearn::manifest::load_str(
        "m.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  containers:\n  - name: web\n    image: busybox\n",
    );
    let Resource::Pod(pod) = &loaded.objects[0].resource else {
        panic!("a Pod")
    };
    let prepared = podlearn::grade::prepare(&ex, pod, &tokens, None);
    assert_eq!(prepared.metadata.labels["run-id"], "pl-0123456789");
    assert_eq!(
        prepared.metadata.labels["app"], "web",
        "the learner's labels stay"
    );

    let deployment = podlearn::manifest::load_str(
        "d.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n      - name: web\n        image: busybox\n",
    );
    assert!(!deployment.has_errors());
    let (objects, _) = podlearn::grade::cluster::prepare_objects(&ex, &deployment.objects, &tokens);
    let Resource::Deployment(d) = &objects[0].resource else {
        panic!("a Deployment")
    };
    assert_eq!(d.template.metadata.labels["run-id"], "pl-0123456789");
}

#[test]
fn an_object_injection_needs_a_key_and_one_target() {
    let no_key =
        exercise("[[inject]]\nname = \"shop\"\nconfigmap = \"shop-config\"\n").unwrap_err();
    assert!(no_key.message.contains("needs `key"), "{}", no_key.message);
    let both =
        exercise("[[inject]]\nname = \"shop\"\nconfigmap = \"a\"\nsecret = \"b\"\nkey = \"k\"\n")
            .unwrap_err();
    assert!(both.message.contains("not both"), "{}", both.message);
    let nothing = exercise("[[inject]]\nname = \"shop\"\n").unwrap_err();
    assert!(nothing.message.contains("configmap"), "{}", nothing.message);
}
