//! Networks and Service proxies for the cluster controllers (`crate::cluster`):
//! the namespace networks, helper containers with DNS aliases, reconnecting a
//! sandbox with new aliases. Here because this module is the only one that
//! talks to the engine; [`ClusterEngine`] for [`Engine`] is the seam.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use anyhow::Context;
use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HostConfig, Ipam, IpamConfig,
    NetworkConnectRequest, NetworkCreateRequest, NetworkDisconnectRequest, NetworkingConfig,
};
use bollard::query_parameters::{CreateContainerOptions, ListNetworksOptions};

use super::{Api, done_unless, status_of};
use crate::cluster::{ClusterEngine, HelperSpec, NetworkCreated};
use crate::runtime::Engine;

impl Api {
    /// The subnet of a network; None when it does not exist.
    pub async fn network_subnet(&self, name: &str) -> anyhow::Result<Option<String>> {
        match self.docker.inspect_network(name, None).await {
            Ok(n) => Ok(Some(
                n.ipam
                    .and_then(|i| i.config)
                    .and_then(|c| c.into_iter().find_map(|c| c.subnet))
                    .unwrap_or_default(),
            )),
            Err(e) => {
                let e = anyhow::Error::new(e);
                match status_of(&e) {
                    Some(404) => Ok(None),
                    // Docker does not keep network names unique: two podlearn
                    // processes creating the same one at once make twins.
                    Some(400) if e.to_string().contains("ambiguous") => {
                        self.keep_oldest_network(name).await.map(Some)
                    }
                    _ => Err(e),
                }
            }
        }
    }

    /// Of the networks named `name`, keep the oldest and remove the others
    /// (the ones no container uses yet); the kept one's subnet.
    async fn keep_oldest_network(&self, name: &str) -> anyhow::Result<String> {
        let options = ListNetworksOptions {
            filters: Some(HashMap::from([(
                "name".to_string(),
                vec![name.to_string()],
            )])),
        };
        let mut twins: Vec<_> = self
            .docker
            .list_networks(Some(options))
            .await?
            .into_iter()
            .filter(|n| n.name.as_deref() == Some(name))
            .collect();
        twins.sort_by(|a, b| a.created.cmp(&b.created));
        let mut twins = twins.into_iter();
        let kept = twins
            .next()
            .with_context(|| format!("network {name} disappeared"))?;
        for twin in twins {
            if let Some(id) = twin.id {
                let _ = self.docker.remove_network(&id).await;
            }
        }
        Ok(kept
            .ipam
            .and_then(|i| i.config)
            .and_then(|c| c.into_iter().find_map(|c| c.subnet))
            .unwrap_or_default())
    }

    pub async fn create_network(
        &self,
        name: &str,
        subnet: &str,
        labels: &BTreeMap<String, String>,
    ) -> anyhow::Result<NetworkCreated> {
        let request = NetworkCreateRequest {
            name: name.to_string(),
            driver: Some("bridge".into()),
            ipam: Some(Ipam {
                config: Some(vec![IpamConfig {
                    subnet: Some(subnet.to_string()),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            labels: Some(labels.clone().into_iter().collect()),
            ..Default::default()
        };
        match self.docker.create_network(request).await {
            Ok(_) => Ok(NetworkCreated::Created),
            Err(e) => {
                let text = e.to_string();
                if text.contains("overlap") {
                    Ok(NetworkCreated::SubnetTaken)
                } else if text.contains("already exists") {
                    Ok(NetworkCreated::AlreadyThere)
                } else {
                    Err(anyhow::Error::new(e)).with_context(|| format!("creating network {name}"))
                }
            }
        }
    }

    /// Remove a network; fine when it is gone or still used by other pods.
    pub async fn remove_network(&self, name: &str) -> anyhow::Result<()> {
        done_unless(self.docker.remove_network(name).await, &[403, 404, 409], ())
            .map_err(|e| e.context(format!("removing network {name}")))
    }

    /// Names of the networks carrying all these labels.
    pub async fn list_networks(
        &self,
        labels: &BTreeMap<String, String>,
    ) -> anyhow::Result<Vec<String>> {
        let filters: HashMap<String, Vec<String>> = HashMap::from([(
            "label".to_string(),
            labels.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        )]);
        let options = ListNetworksOptions {
            filters: Some(filters),
        };
        let list = self.docker.list_networks(Some(options)).await?;
        Ok(list.into_iter().filter_map(|n| n.name).collect())
    }

    /// Create and start a helper container on a network with DNS aliases;
    /// its IP there.
    pub async fn run_helper(&self, spec: &HelperSpec) -> anyhow::Result<String> {
        let endpoint = EndpointSettings {
            aliases: Some(spec.aliases.clone()),
            ..Default::default()
        };
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            cmd: Some(spec.cmd.clone()),
            entrypoint: Some(vec![]),
            env: Some(spec.env.clone()),
            labels: Some(spec.labels.clone().into_iter().collect()),
            host_config: Some(HostConfig {
                network_mode: Some(spec.network.clone()),
                init: Some(true),
                ..Default::default()
            }),
            networking_config: Some(NetworkingConfig {
                endpoints_config: Some(HashMap::from([(spec.network.clone(), endpoint)])),
            }),
            ..Default::default()
        };
        let options = CreateContainerOptions {
            name: Some(spec.name.clone()),
            ..Default::default()
        };
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .with_context(|| format!("creating {}", spec.name))?;
        if let Err(e) = self.start(&created.id).await {
            let _ = self.remove(&created.id).await;
            return Err(e.context(format!("starting {}", spec.name)));
        }
        Ok(self.inspect(&created.id).await?.ip.unwrap_or_default())
    }

    /// Disconnect a container and connect it again with the same IP and
    /// these aliases (Docker cannot change aliases in place).
    pub async fn reconnect(
        &self,
        container: &str,
        network: &str,
        ip: &str,
        aliases: &[String],
    ) -> anyhow::Result<()> {
        let disconnect = NetworkDisconnectRequest {
            container: container.to_string(),
            force: Some(true),
        };
        if let Err(e) = self.docker.disconnect_network(network, disconnect).await {
            let e = anyhow::Error::new(e);
            if status_of(&e) != Some(404) && !e.to_string().contains("is not connected") {
                return Err(e.context(format!("disconnecting {container} from {network}")));
            }
        }
        let connect = NetworkConnectRequest {
            container: container.to_string(),
            endpoint_config: Some(EndpointSettings {
                aliases: Some(aliases.to_vec()),
                ipam_config: Some(EndpointIpamConfig {
                    ipv4_address: Some(ip.to_string()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        };
        self.docker
            .connect_network(network, connect)
            .await
            .with_context(|| format!("connecting {container} to {network}"))
    }
}

impl ClusterEngine for Engine {
    async fn network_subnet(&self, name: &str) -> anyhow::Result<Option<String>> {
        self.api.network_subnet(name).await
    }

    async fn create_network(
        &self,
        name: &str,
        subnet: &str,
        labels: &BTreeMap<String, String>,
    ) -> anyhow::Result<NetworkCreated> {
        self.api.create_network(name, subnet, labels).await
    }

    async fn remove_network(&self, name: &str) -> anyhow::Result<()> {
        self.api.remove_network(name).await
    }

    async fn run_helper(&self, spec: &HelperSpec) -> anyhow::Result<String> {
        if !self.api.image_present(&spec.image).await? {
            anyhow::bail!(
                "the image {} is not on this Docker engine, and Services need it offline.\n  \
                 fix: run `scripts/busybox-image`.",
                spec.image
            );
        }
        self.api.run_helper(spec).await
    }

    async fn exec(&self, container: &str, argv: &[String]) -> anyhow::Result<i64> {
        Ok(self
            .api
            .exec(container, argv, Duration::from_secs(10))
            .await?
            .exit_code)
    }

    async fn reconnect(
        &self,
        container: &str,
        network: &str,
        ip: &str,
        aliases: &[String],
    ) -> anyhow::Result<()> {
        self.api.reconnect(container, network, ip, aliases).await
    }

    async fn remove_container(&self, name: &str) -> anyhow::Result<()> {
        self.api.remove(name).await
    }
}
