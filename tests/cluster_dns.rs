//! Services against the real engine: the names resolve from a Pod of the
//! namespace, requests to the Service name reach the Pods round robin with
//! port -> named targetPort mapping, an unready Pod drops out, headless
//! names follow readiness, and another learner's network sees nothing.

mod cluster_common;

use std::collections::{BTreeMap, BTreeSet};

use cluster_common::*;
use podlearn::cluster::endpoints::{self, PodView};
use podlearn::cluster::{network, service};
use podlearn::manifest::model::{ContainerPort, IntOrString, ObjectMeta, Service, ServicePort};

fn web_pod(name: &str, net: &str, learner: &str) -> String {
    let cname = format!("{net}-{name}");
    docker_ok(&[
        "run",
        "-d",
        "--name",
        &cname,
        "--hostname",
        name,
        "--network",
        net,
        "--label",
        "io.podlearn.managed=true",
        "--label",
        &format!("io.podlearn.learner={learner}"),
        IMAGE,
        "sh",
        "-c",
        &format!("mkdir -p /w && echo {name} > /w/index.html && exec httpd -f -p 8080 -h /w"),
    ]);
    cname
}

fn view(name: &str, ip: &str, ready: bool) -> PodView {
    PodView {
        name: name.into(),
        namespace: "default".into(),
        labels: BTreeMap::from([("app".to_string(), "web".to_string())]),
        ip: Some(ip.into()),
        ready,
        finished: false,
        hostname: (name == "web-a").then(|| "db-0".to_string()),
        subdomain: Some("db".into()),
        ports: vec![ContainerPort {
            name: Some("http".into()),
            container_port: 8080,
            protocol: "TCP".into(),
            host_port: None,
        }],
    }
}

fn svc(name: &str, headless: bool) -> Service {
    Service {
        metadata: ObjectMeta {
            name: name.into(),
            namespace: "default".into(),
            ..Default::default()
        },
        kind: "ClusterIP".into(),
        selector: BTreeMap::from([("app".to_string(), "web".to_string())]),
        ports: vec![ServicePort {
            name: Some("http".into()),
            port: 80,
            target_port: IntOrString::String("http".into()),
            protocol: "TCP".into(),
        }],
        headless,
    }
}

/// `n` requests from the client to `url`; the answers, one per line.
fn requests(client: &str, url: &str, n: usize) -> Vec<String> {
    // busybox's `wget -T` crashes in this build: `timeout` bounds it instead.
    let script = format!("for i in $(seq {n}); do timeout 5 wget -qO- {url} || echo FAILED; done");
    docker_ok(&["exec", client, "sh", "-c", &script])
        .lines()
        .map(str::to_string)
        .collect()
}

fn resolve(client: &str, name: &str) -> BTreeSet<String> {
    let (_, out, _) = docker(&["exec", client, "nslookup", name]);
    // The answers follow the `Name:` line.
    out.split_once("Name:")
        .map(|(_, answers)| {
            answers
                .lines()
                .filter_map(|l| l.strip_prefix("Address:"))
                .map(|a| a.trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn services_resolve_round_robin_and_follow_readiness() {
    let learner = unique_learner("dns");
    let _cleanup = Cleanup {
        learner: learner.clone(),
    };
    let engine = CliEngine;
    let labels = labels(&learner);
    let net = network::network_name(&learner, "default");
    network::ensure(&engine, &net, &labels).await.unwrap();
    // Idempotent: a second podlearn of the same learner reuses it.
    network::ensure(&engine, &net, &labels).await.unwrap();

    let a = web_pod("web-a", &net, &learner);
    let b = web_pod("web-b", &net, &learner);
    let client = web_pod("client", &net, &learner);
    let (ip_a, ip_b) = (ip_of(&a, &net), ip_of(&b, &net));

    // ClusterIP: port 80 -> targetPort "http" (8080) on each Pod.
    let web = svc("web", false);
    let mut proxy = service::start_proxy(&engine, &web, &net, &labels)
        .await
        .unwrap();
    let pods = [view("web-a", &ip_a, true), view("web-b", &ip_b, true)];
    let eps = endpoints::compute(&web, &pods);
    assert!(proxy.sync(&engine, &eps).await.unwrap());
    assert!(
        !proxy.sync(&engine, &eps).await.unwrap(),
        "no change, no rewrite"
    );

    for name in [
        "web",
        "web.default",
        "web.default.svc",
        "web.default.svc.cluster.local",
    ] {
        assert_eq!(
            resolve(&client, name),
            BTreeSet::from([proxy.cluster_ip.clone()]),
            "{name}"
        );
    }
    let answers = requests(&client, "http://web.default.svc.cluster.local/", 10);
    assert_eq!(
        answers.iter().filter(|a| *a == "web-a").count(),
        5,
        "{answers:?}"
    );
    assert_eq!(
        answers.iter().filter(|a| *a == "web-b").count(),
        5,
        "{answers:?}"
    );

    // web-b turns unready: it leaves the Service at once.
    let pods = [view("web-a", &ip_a, true), view("web-b", &ip_b, false)];
    let eps = endpoints::compute(&web, &pods);
    assert!(proxy.sync(&engine, &eps).await.unwrap());
    assert_eq!(requests(&client, "http://web/", 4), ["web-a"; 4]);

    // Headless: the names are on the ready Pods themselves.
    let db = svc("db", true);
    let mut applied = BTreeMap::new();
    let sandboxes = BTreeMap::from([
        (
            "web-a".to_string(),
            service::SandboxRef {
                sandbox: a.clone(),
                ip: ip_a.clone(),
            },
        ),
        (
            "web-b".to_string(),
            service::SandboxRef {
                sandbox: b.clone(),
                ip: ip_b.clone(),
            },
        ),
    ]);
    let ready = [view("web-a", &ip_a, true), view("web-b", &ip_b, true)];
    let eps = endpoints::compute(&db, &ready);
    let want = service::headless_aliases([(&db, &eps)], &applied);
    service::sync_headless(&engine, &net, &want, &sandboxes, &mut applied)
        .await
        .unwrap();
    assert_eq!(
        resolve(&client, "db.default.svc.cluster.local"),
        BTreeSet::from([ip_a.clone(), ip_b.clone()])
    );
    assert_eq!(
        resolve(&client, "db-0.db.default.svc.cluster.local"),
        BTreeSet::from([ip_a.clone()])
    );
    // The Pods keep their IPs: the ClusterIP Service still reaches web-a.
    assert_eq!(ip_of(&a, &net), ip_a);
    assert_eq!(requests(&client, "http://db:8080/", 1).len(), 1);

    let eps = endpoints::compute(&db, &pods);
    let want = service::headless_aliases([(&db, &eps)], &applied);
    service::sync_headless(&engine, &net, &want, &sandboxes, &mut applied)
        .await
        .unwrap();
    assert_eq!(
        resolve(&client, "db.default"),
        BTreeSet::from([ip_a.clone()])
    );

    // Another learner's namespace is another bridge: no names, no route.
    let other = unique_learner("dns-other");
    let _other_cleanup = Cleanup {
        learner: other.clone(),
    };
    let other_net = network::network_name(&other, "default");
    network::ensure(&engine, &other_net, &cluster_common::labels(&other))
        .await
        .unwrap();
    let stranger = web_pod("stranger", &other_net, &other);
    assert!(resolve(&stranger, "web.default.svc.cluster.local").is_empty());
    let (_, out, _) = docker(&[
        "exec",
        &stranger,
        "sh",
        "-c",
        &format!("timeout 3 wget -qO- http://{ip_a}:8080/ || echo FAILED"),
    ]);
    assert_eq!(out.trim(), "FAILED");
}
