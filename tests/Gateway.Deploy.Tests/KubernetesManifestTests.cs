using System.Globalization;
using Gateway.Deploy.Tests.Support;
using k8s;
using k8s.Models;

namespace Gateway.Deploy.Tests;

/// <summary>
/// deploy/kubernetes: every document is read strictly into the Kubernetes client's typed models (an unknown or
/// misplaced field, a wrong type or an unknown kind fails) and validated (required fields), then the topology is
/// checked: edges behind a Service with readiness from /healthz/ready and an autoscaler, silos clustered through
/// Redis, two registry replicas with shared storage and secret, disruption budgets, Secrets referenced, not inlined.
/// </summary>
public sealed class KubernetesManifestTests
{
    private const string Folder = "deploy/kubernetes";

    private static readonly Lazy<IReadOnlyList<(string File, object Object)>> Loaded = new(Load);

    private static IReadOnlyList<(string File, object Object)> Objects => Loaded.Value;

    private static IEnumerable<T> All<T>() => Objects.Select(o => o.Object).OfType<T>();

    private static V1Deployment Deployment(string name) => Assert.Single(All<V1Deployment>(), d => d.Metadata.Name == name);

    private static V1Container Container(V1Deployment deployment) => Assert.Single(deployment.Spec.Template.Spec.Containers);

    private static string? Env(V1Container container, string name) => container.Env?.SingleOrDefault(e => e.Name == name)?.Value;

    private static V1EnvVar EnvVar(V1Container container, string name) =>
        container.Env?.SingleOrDefault(e => e.Name == name) ?? throw new Xunit.Sdk.XunitException($"{container.Name} has no {name}");

    [Fact]
    public void EveryDocument_IsAKnownKubernetesObject_WithOnlyKnownFields_AndValid()
    {
        Assert.NotEmpty(Objects);
        foreach (var (file, obj) in Objects)
        {
            var typed = Assert.IsAssignableFrom<IKubernetesObject>(obj);
            Assert.False(string.IsNullOrEmpty(typed.ApiVersion) || string.IsNullOrEmpty(typed.Kind), $"{file}: no apiVersion/kind");
            var metadata = ((IMetadata<V1ObjectMeta>)obj).Metadata;
            Assert.False(string.IsNullOrEmpty(metadata.Name), $"{file}: an object without a name");
            if (obj is not V1Namespace)
            {
                Assert.Equal("registry-gateway", metadata.NamespaceProperty);
            }

            // What the API server requires of a workload (the typed models do not check it).
            if (obj is V1Deployment deployment)
            {
                Assert.NotNull(deployment.Spec?.Selector?.MatchLabels);
                Assert.NotNull(deployment.Spec.Template?.Spec?.Containers);
                Assert.All(deployment.Spec.Template.Spec.Containers, c => Assert.False(string.IsNullOrEmpty(c.Name) || string.IsNullOrEmpty(c.Image), $"{file}: a container needs a name and an image"));
            }

            // Nothing in the file was dropped on the way into the model: it serializes back to the same tree.
            var again = KubernetesYaml.LoadAllFromString(KubernetesYaml.Serialize(obj), strict: true);
            Assert.Equal(KubernetesYaml.Serialize(obj), KubernetesYaml.Serialize(Assert.Single(again)));
        }
    }

    [Fact]
    public void StrictLoading_RejectsAFieldTheSchemaDoesNotHave()
    {
        // The check above has teeth: a misspelled probe is an error, not a silently dropped field.
        const string misspelled = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: { name: x }
            spec:
              selector: { matchLabels: { a: b } }
              template:
                metadata: { labels: { a: b } }
                spec:
                  containers:
                    - name: x
                      image: x
                      readinesProbe: { httpGet: { path: /healthz/ready, port: 8080 } }
            """;
        Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(misspelled, strict: true));
        Assert.Single(KubernetesYaml.LoadAllFromString(misspelled.Replace("readinesProbe", "readinessProbe", StringComparison.Ordinal), strict: true));
    }

    [Fact]
    public void Kustomization_ListsEveryManifest()
    {
        var kustomization = Yaml.LoadMapping(Repository.Read($"{Folder}/kustomization.yaml"));
        var listed = kustomization.Items("resources").Select(r => r.Text()!).ToHashSet();
        var files = Directory.GetFiles(Repository.PathOf(Folder), "*.yaml").Select(f => Path.GetFileName(f)).Where(f => f != "kustomization.yaml").ToHashSet();
        Assert.Equal(files, listed);
        Assert.Equal("registry-gateway", kustomization.Text("namespace"));
    }

    [Fact]
    public void Edges_AreADeployment_ReadyFromHealthzReady_LiveFromHealthzLive()
    {
        var edge = Deployment("edge");
        var container = Container(edge);
        Assert.Equal("edge", Env(container, "Gateway__Role"));
        Assert.Equal("/healthz/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz/live", container.LivenessProbe.HttpGet.Path);
        Assert.Contains(container.Ports, p => p.Name == container.ReadinessProbe.HttpGet.Port.Value && p.ContainerPort == 8080);
        Assert.Equal(0, int.Parse(edge.Spec.Strategy.RollingUpdate.MaxUnavailable.Value, CultureInfo.InvariantCulture));

        // TLS at the edge from a referenced Secret (the Service passes TCP through).
        Assert.Equal("https://*:8443", Env(container, "Kestrel__Endpoints__Https__Url"));
        var tls = Assert.Single(edge.Spec.Template.Spec.Volumes, v => v.Secret?.SecretName == "registry-gateway-tls");
        var mount = Assert.Single(container.VolumeMounts, m => m.Name == tls.Name);
        Assert.Equal($"{mount.MountPath}/tls.crt", Env(container, "Kestrel__Endpoints__Https__Certificate__Path"));
        Assert.Equal($"{mount.MountPath}/tls.key", Env(container, "Kestrel__Endpoints__Https__Certificate__KeyPath"));
        var htpasswd = Assert.Single(edge.Spec.Template.Spec.Volumes, v => v.Secret?.SecretName == "registry-gateway-htpasswd");
        Assert.StartsWith(Assert.Single(container.VolumeMounts, m => m.Name == htpasswd.Name).MountPath + "/", Env(container, "Gateway__Auth__HtpasswdFile"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("silo")]
    public void GracePeriod_CoversDrainDelayAndShutdownTimeout_AndReadinessNoticesTheDrainInTime(string name)
    {
        var deployment = Deployment(name);
        var container = Container(deployment);
        var drain = TimeSpan.Parse(Env(container, "Gateway__Shutdown__DrainDelay")!, CultureInfo.InvariantCulture);
        var timeout = TimeSpan.Parse(Env(container, "Gateway__Shutdown__Timeout")!, CultureInfo.InvariantCulture);
        var preStop = TimeSpan.FromSeconds(container.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0);
        Assert.Null(container.Lifecycle?.PreStop?.Exec); // nothing to run: the gateway drains by itself on SIGTERM

        // The host allows DrainDelay + Timeout + 15 s before it gives up; kubelet must not SIGKILL before that.
        var grace = TimeSpan.FromSeconds(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30);
        Assert.True(grace >= preStop + drain + timeout + TimeSpan.FromSeconds(15), $"{name}: grace {grace} < {preStop} + {drain} + {timeout} + 15 s");

        // Readiness turns false (503) within the drain delay, so the endpoint is removed before Kestrel stops accepting.
        var readiness = container.ReadinessProbe;
        Assert.True(TimeSpan.FromSeconds((readiness.PeriodSeconds ?? 10) * (readiness.FailureThreshold ?? 3)) < drain, $"{name}: readiness notices too late");
    }

    [Fact]
    public void Edges_HaveAHorizontalPodAutoscaler_OnCpu_WithCpuRequestsToScaleBy()
    {
        var hpa = Assert.Single(All<V2HorizontalPodAutoscaler>());
        Assert.Equal("Deployment", hpa.Spec.ScaleTargetRef.Kind);
        Assert.Equal("apps/v1", hpa.Spec.ScaleTargetRef.ApiVersion);
        Assert.Equal("edge", hpa.Spec.ScaleTargetRef.Name);
        Assert.True(hpa.Spec.MinReplicas >= 2);
        Assert.True(hpa.Spec.MaxReplicas > hpa.Spec.MinReplicas);
        var cpu = Assert.Single(hpa.Spec.Metrics, m => m.Type == "Resource" && m.Resource.Name == "cpu");
        Assert.Equal("Utilization", cpu.Resource.Target.Type);
        Assert.NotNull(Container(Deployment("edge")).Resources.Requests["cpu"]);
    }

    [Fact]
    public void Edges_AreReachedThroughAServiceThatPassesTlsToThem_KeepingTheClientAddress()
    {
        var service = ServiceSelecting("edge", "https");
        Assert.Equal("LoadBalancer", service.Spec.Type);
        Assert.Equal("Local", service.Spec.ExternalTrafficPolicy);
        Assert.Equal(443, Assert.Single(service.Spec.Ports).Port);
    }

    [Fact]
    public void Silos_AtLeastTwo_ClusterThroughRedis_AdvertiseTheirPodIp()
    {
        var silo = Deployment("silo");
        var container = Container(silo);
        Assert.True(silo.Spec.Replicas >= 2);
        Assert.Equal("silo", Env(container, "Gateway__Role"));
        Assert.Equal("redis", Env(container, "Gateway__Cluster__Provider"));

        // The Sentinels of every Redis pod, by the pods' stable names, and the service name they monitor.
        var redis = Env(container, "Gateway__Cluster__Redis")!.Split(',');
        Assert.Equal("serviceName=gateway", redis[^1]);
        var set = Assert.Single(All<V1StatefulSet>(), s => s.Metadata.Name == "redis");
        var headless = Assert.Single(All<V1Service>(), s => s.Metadata.Name == set.Spec.ServiceName);
        Assert.Equal(
            Enumerable.Range(0, set.Spec.Replicas!.Value).Select(i => $"redis-{i}.{headless.Metadata.Name}:26379"),
            redis[..^1]);
        Assert.Contains(headless.Spec.Ports, p => p.Port == 26379);
        Assert.Equal("status.podIP", EnvVar(container, "Gateway__Cluster__AdvertisedAddress").ValueFrom.FieldRef.FieldPath);
        Assert.Equal("/healthz/ready", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/healthz/live", container.LivenessProbe.HttpGet.Path);

        // Edges and silos form one cluster: same Redis, cluster id and secret.
        var edge = Container(Deployment("edge"));
        foreach (var key in new[] { "Gateway__Cluster__Provider", "Gateway__Cluster__Redis", "Gateway__Cluster__ClusterId" })
        {
            Assert.Equal(Env(container, key), Env(edge, key));
        }

        Assert.Equal(EnvVar(container, "Gateway__Cluster__Secret").ValueFrom.SecretKeyRef.Name, EnvVar(edge, "Gateway__Cluster__Secret").ValueFrom.SecretKeyRef.Name);
    }

    [Fact]
    public void Redis_ThreeServersAndSentinels_OnePerNode_PersistentNonRootAndAnnouncingPodNames()
    {
        var set = Assert.Single(All<V1StatefulSet>(), s => s.Metadata.Name == "redis");
        Assert.Equal(3, set.Spec.Replicas);
        Assert.Equal("kubernetes.io/hostname", Assert.Single(set.Spec.Template.Spec.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution).TopologyKey);
        Assert.True(set.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
        Assert.Equal(new[] { "redis", "sentinel" }, set.Spec.Template.Spec.Containers.Select(c => c.Name));
        foreach (var container in set.Spec.Template.Spec.Containers)
        {
            Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
            Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
            Assert.NotNull(container.ReadinessProbe);
            Assert.NotNull(container.LivenessProbe);
            Assert.NotNull(container.Resources.Limits["memory"]);
            Assert.Contains(container.VolumeMounts, m => m.Name == "data" && m.MountPath == "/data");
        }

        var claim = Assert.Single(set.Spec.VolumeClaimTemplates);
        Assert.Equal("data", claim.Metadata.Name);
        Assert.False(string.IsNullOrEmpty(claim.Spec.StorageClassName));
        Assert.True(Assert.Single(All<V1Service>(), s => s.Metadata.Name == set.Spec.ServiceName).Spec.PublishNotReadyAddresses);
        var budget = Assert.Single(All<V1PodDisruptionBudget>(), b => Selects(b.Spec.Selector.MatchLabels, set.Spec.Template.Metadata.Labels));
        Assert.Equal("1", budget.Spec.MaxUnavailable.Value);

        // The scripts: append-only file every second, every name announced as the pod's DNS name, quorum 2.
        var scripts = Assert.Single(All<V1ConfigMap>(), c => c.Metadata.Name == "redis-scripts").Data;
        Assert.Contains("--appendonly yes --appendfsync everysec", scripts["redis.sh"], StringComparison.Ordinal);
        Assert.Contains("--replica-announce-ip \"$self\"", scripts["redis.sh"], StringComparison.Ordinal);
        Assert.Contains("sentinel get-master-addr-by-name gateway", scripts["redis.sh"], StringComparison.Ordinal);
        Assert.Contains("sentinel monitor gateway redis-0.redis-headless.${POD_NAMESPACE}.svc.cluster.local 6379 2", scripts["sentinel.sh"], StringComparison.Ordinal);
        Assert.Contains("sentinel announce-hostnames yes", scripts["sentinel.sh"], StringComparison.Ordinal);
        Assert.Contains("sentinel announce-ip ${POD_NAME}.redis-headless", scripts["sentinel.sh"], StringComparison.Ordinal);
        Assert.Contains("if [ ! -f \"$conf\" ]", scripts["sentinel.sh"], StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_TwoReplicas_ShareOneVolumeAndOneHttpSecret_AndEdgesReachThem()
    {
        var registry = Deployment("registry");
        var container = Container(registry);
        Assert.True(registry.Spec.Replicas >= 2);
        var secret = EnvVar(container, "REGISTRY_HTTP_SECRET").ValueFrom.SecretKeyRef;
        Assert.Equal("registry-gateway-secrets", secret.Name);
        Assert.Equal("registry-http-secret", secret.Key);

        var root = Env(container, "REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY") ?? RegistryConfig().Map("storage").Map("filesystem").Text("rootdirectory");
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == root);
        var claim = Assert.Single(registry.Spec.Template.Spec.Volumes, v => v.Name == mount.Name).PersistentVolumeClaim.ClaimName;
        var pvc = Assert.Single(All<V1PersistentVolumeClaim>(), p => p.Metadata.Name == claim);
        Assert.Contains("ReadWriteMany", pvc.Spec.AccessModes);   // every replica mounts the same volume

        var backend = new Uri(Env(Container(Deployment("edge")), "Gateway__Backend__Urls__0")!);
        var service = ServiceSelecting("registry", "http");
        Assert.Equal(service.Metadata.Name, backend.Host);
        Assert.Contains(service.Spec.Ports, p => p.Port == backend.Port);
        Assert.NotEqual("LoadBalancer", service.Spec.Type);       // the registry is not exposed outside the cluster
    }

    [Theory]
    [InlineData("edge")]
    [InlineData("silo")]
    [InlineData("registry")]
    public void PodDisruptionBudget_CoversTheDeployment(string name)
    {
        var deployment = Deployment(name);
        var budget = Assert.Single(All<V1PodDisruptionBudget>(), b => Selects(b.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels));
        Assert.True(budget.Spec.MinAvailable is not null || budget.Spec.MaxUnavailable is not null);
        if (budget.Spec.MinAvailable is { } min)
        {
            var replicas = deployment.Spec.Replicas ?? All<V2HorizontalPodAutoscaler>().Single(h => h.Spec.ScaleTargetRef.Name == name).Spec.MinReplicas;
            Assert.True(int.Parse(min.Value, CultureInfo.InvariantCulture) < replicas, "a budget no eviction can satisfy blocks node drains");
        }
    }

    [Fact]
    public void EveryDeployment_SelectsItsOwnPods_AndRunsAsNonRoot()
    {
        foreach (var deployment in All<V1Deployment>())
        {
            Assert.True(Selects(deployment.Spec.Selector.MatchLabels, deployment.Spec.Template.Metadata.Labels), deployment.Metadata.Name);
            var others = All<V1Deployment>().Where(d => d != deployment);
            Assert.DoesNotContain(others, d => Selects(deployment.Spec.Selector.MatchLabels, d.Spec.Template.Metadata.Labels));
            if (Container(deployment).Image == "registry-gateway")
            {
                Assert.True(deployment.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
                Assert.Equal(1654, deployment.Spec.Template.Spec.SecurityContext.RunAsUser); // the image's "app" user
            }
        }

        // Every Service selects the pods of exactly one workload (Deployment or StatefulSet), whose containers have its ports.
        var workloads = All<V1Deployment>().Select(d => d.Spec.Template).Concat(All<V1StatefulSet>().Select(s => s.Spec.Template)).ToList();
        foreach (var service in All<V1Service>())
        {
            var pods = workloads.Where(t => Selects(service.Spec.Selector, t.Metadata.Labels)).ToList();
            Assert.True(pods.Count == 1, $"service {service.Metadata.Name} selects {pods.Count} workloads");
            foreach (var port in service.Spec.Ports)
            {
                Assert.Contains(pods[0].Spec.Containers.SelectMany(c => c.Ports), p => p.Name == port.TargetPort.Value || p.ContainerPort.ToString(CultureInfo.InvariantCulture) == port.TargetPort.Value);
            }
        }
    }

    [Fact]
    public void Secrets_AreReferenced_NeverInlined_AndTheReadmeSaysHowToCreateThem()
    {
        Assert.Empty(All<V1Secret>());
        Assert.DoesNotContain(All<V1ConfigMap>(), c => c.Data?.Keys.Any(k => k.Contains("secret", StringComparison.OrdinalIgnoreCase)) == true);

        var referenced = new HashSet<string>();
        foreach (var deployment in All<V1Deployment>())
        {
            foreach (var volume in deployment.Spec.Template.Spec.Volumes ?? [])
            {
                if (volume.Secret is { } secret)
                {
                    referenced.Add(secret.SecretName);
                }
            }

            foreach (var env in Container(deployment).Env ?? [])
            {
                if (env.ValueFrom?.SecretKeyRef is { } secretKey)
                {
                    referenced.Add(secretKey.Name);
                }
                else if (env.Name.Contains("Secret", StringComparison.OrdinalIgnoreCase) || env.Name.Contains("SECRET", StringComparison.Ordinal))
                {
                    Assert.Fail($"{deployment.Metadata.Name}: {env.Name} has a literal value");
                }
            }
        }

        Assert.Equal(new HashSet<string> { "registry-gateway-secrets", "registry-gateway-htpasswd", "registry-gateway-tls" }, referenced);
        var readme = Repository.Read("deploy/README.md");
        foreach (var name in referenced)
        {
            Assert.Contains($"kubectl -n registry-gateway create secret", readme, StringComparison.Ordinal);
            Assert.Contains(name, readme, StringComparison.Ordinal);
        }
    }

    /// <summary>How long the gateway lets a transfer idle (Gateway:Backend:ActivityTimeout's default): the longest a rollout must wait for.</summary>
    private static readonly TimeSpan TransferLimit = TimeSpan.FromMinutes(15);

    /// <summary>How long cloud load balancers may go on sending to a pod after it turns unready (health check interval x threshold: AWS NLB 10 s x 3).</summary>
    private static readonly TimeSpan LoadBalancerReaction = TimeSpan.FromSeconds(30);

    [Fact]
    public void DeploymentUnderAnAutoscaler_NamesNoReplicas()
    {
        // With spec.replicas in the file, every `kubectl apply` scales the Deployment back to that number.
        foreach (var hpa in All<V2HorizontalPodAutoscaler>())
        {
            Assert.Null(Deployment(hpa.Spec.ScaleTargetRef.Name).Spec.Replicas);
        }

        Assert.NotEmpty(All<V2HorizontalPodAutoscaler>());
    }

    [Fact]
    public void Edges_DrainLongerThanLoadBalancersReact_AndWaitForTheLongestTransfer()
    {
        var edge = Deployment("edge");
        var container = Container(edge);
        var drain = TimeSpan.Parse(Env(container, "Gateway__Shutdown__DrainDelay")!, CultureInfo.InvariantCulture);
        var timeout = TimeSpan.Parse(Env(container, "Gateway__Shutdown__Timeout")!, CultureInfo.InvariantCulture);
        Assert.True(drain >= LoadBalancerReaction, $"DrainDelay {drain}: a cloud load balancer may still send new requests after the edge stops accepting");
        Assert.True(timeout >= TransferLimit, $"Shutdown:Timeout {timeout} cuts transfers the gateway lets idle for {TransferLimit}");
        Assert.True(TimeSpan.FromSeconds(edge.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30) >= drain + timeout + TimeSpan.FromSeconds(15));
        var readme = Repository.Read("deploy/README.md");
        Assert.Contains("terminationGracePeriodSeconds: 960", readme, StringComparison.Ordinal); // the trade-off is written down
    }

    [Fact]
    public void Registry_RunsTheShippedConfig_DrainsForTheTransferLimit_AndLeavesTheServiceBeforeItStopsAccepting()
    {
        var config = Assert.Single(All<V1ConfigMap>(), c => c.Metadata.Name == "registry-config");
        Assert.Equal(Repository.Read("deploy/registry/config.yml"), config.Data["config.yml"]);
        Assert.Null(RegistryConfig().Map("storage").Get("cache")); // no per-replica blob descriptor cache

        var registry = Deployment("registry");
        var container = Container(registry);
        var mount = Assert.Single(container.VolumeMounts, m => m.MountPath == "/etc/docker/registry");
        Assert.Equal("registry-config", Assert.Single(registry.Spec.Template.Spec.Volumes, v => v.Name == mount.Name).ConfigMap.Name);

        var drain = ParseGoDuration(RegistryConfig().Map("http").Text("draintimeout")!);
        Assert.True(drain >= TransferLimit);
        var preStop = string.Join(' ', container.Lifecycle.PreStop.Exec.Command);
        var pause = TimeSpan.FromSeconds(int.Parse(System.Text.RegularExpressions.Regex.Match(preStop, @"sleep (\d+)").Groups[1].Value, CultureInfo.InvariantCulture));
        Assert.True(pause >= TimeSpan.FromSeconds(5), "the registry stops accepting at SIGTERM: it must leave the endpoints first");
        Assert.True(TimeSpan.FromSeconds(registry.Spec.Template.Spec.TerminationGracePeriodSeconds ?? 30) > pause + drain);

        var claim = Assert.Single(All<V1PersistentVolumeClaim>());
        Assert.False(string.IsNullOrEmpty(claim.Spec.StorageClassName), "a ReadWriteMany claim on the default (block) class stays Pending");
    }

    [Fact]
    public void EveryProbe_HasAnExplicitTimeout_AndGatewayReadinessAsksOnlyLocalState()
    {
        foreach (var deployment in All<V1Deployment>())
        {
            var container = Container(deployment);
            foreach (var (kind, probe) in new[] { ("readiness", container.ReadinessProbe), ("liveness", container.LivenessProbe), ("startup", container.StartupProbe) })
            {
                if (probe is null)
                {
                    continue;
                }

                Assert.True(probe.TimeoutSeconds is >= 1, $"{deployment.Metadata.Name}: {kind} probe relies on the 1 s default timeout");
            }

            Assert.NotNull(container.ReadinessProbe);
            Assert.NotNull(container.LivenessProbe);
        }

        // The gateway's /healthz/ready reads cached state (no grain call, no registry call per probe): 2 s is ample.
        Assert.Equal("/healthz/ready", Container(Deployment("edge")).ReadinessProbe.HttpGet.Path);
        Assert.Contains("answers from the last results", Repository.Read("README.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void Metrics_AreServedOnTheirOwnPort_WhichTheClientsServiceDoesNotExpose()
    {
        foreach (var name in new[] { "edge", "silo" })
        {
            var container = Container(Deployment(name));
            var port = Assert.Single(container.Ports, p => p.Name == "metrics").ContainerPort;
            Assert.Equal(port.ToString(CultureInfo.InvariantCulture), Env(container, "Gateway__Telemetry__MetricsPort"));
            Assert.DoesNotContain(container.Ports, p => p.Name != "metrics" && p.ContainerPort == port);
        }

        var clients = Assert.Single(All<V1Service>(), s => s.Spec.Type == "LoadBalancer");
        Assert.All(clients.Spec.Ports, p => Assert.Equal("https", p.TargetPort.Value));
        Assert.Contains(All<V1Service>(), s => s.Spec.ClusterIP == "None" && s.Spec.Ports.Any(p => p.TargetPort.Value == "metrics") && Selects(s.Spec.Selector, Deployment("edge").Spec.Template.Metadata.Labels));
    }

    [Fact]
    public void ClientsService_KeepsTheClientAddress_OnAwsToo_AndTheReadmeSaysWhy()
    {
        var clients = Assert.Single(All<V1Service>(), s => s.Spec.Type == "LoadBalancer");
        Assert.Equal("Local", clients.Spec.ExternalTrafficPolicy);
        Assert.Equal("nlb", clients.Metadata.Annotations["service.beta.kubernetes.io/aws-load-balancer-type"]);
        Assert.Contains("client address", Repository.Read("deploy/README.md"), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryPod_RunsAsNonRoot_WithAReadOnlyRootFilesystem_AndNoPrivilegeEscalation()
    {
        foreach (var deployment in All<V1Deployment>())
        {
            var pod = deployment.Spec.Template.Spec;
            Assert.True(pod.SecurityContext?.RunAsNonRoot == true, $"{deployment.Metadata.Name} may run as root");
            Assert.True(pod.SecurityContext.RunAsUser is > 0, deployment.Metadata.Name);
            Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile?.Type);
            var container = Container(deployment);
            Assert.True(container.SecurityContext?.ReadOnlyRootFilesystem == true, $"{deployment.Metadata.Name}: writable root file system");
            Assert.False(container.SecurityContext.AllowPrivilegeEscalation ?? true, deployment.Metadata.Name);
            Assert.Contains("ALL", container.SecurityContext.Capabilities.Drop);
        }
    }

    [Theory]
    [InlineData("silo")]
    [InlineData("registry")]
    public void Replicas_AreSpreadOverNodes(string name)
    {
        var deployment = Deployment(name);
        var spread = Assert.Single(deployment.Spec.Template.Spec.TopologySpreadConstraints, c => c.TopologyKey == "kubernetes.io/hostname");
        Assert.Equal("DoNotSchedule", spread.WhenUnsatisfiable); // a preference would still put both on one node
        Assert.Equal(1, spread.MaxSkew);
        Assert.True(Selects(spread.LabelSelector.MatchLabels, deployment.Spec.Template.Metadata.Labels));
    }

    [Fact]
    public void NetworkPolicies_DenyEverythingByDefault_ForEveryPod()
    {
        var model = Policies();
        var deny = Assert.Single(All<V1NetworkPolicy>(), p => p.Spec.PodSelector.MatchLabels is null or { Count: 0 } && p.Spec.Ingress is null && p.Spec.Egress is null);
        Assert.Equal(new[] { "Ingress", "Egress" }, deny.Spec.PolicyTypes);
        foreach (var pod in Pods())
        {
            Assert.True(model.Isolates(pod, "Ingress") && model.Isolates(pod, "Egress"), $"{pod} is not covered");
            Assert.True(model.Allows(pod, KubeDns, 53), $"{pod} cannot resolve names");
        }
    }

    [Theory]
    [InlineData("outside", "edge", "https", true)]
    [InlineData("monitoring", "edge", "metrics", true)]
    [InlineData("monitoring", "silo", "metrics", true)]
    [InlineData("edge", "registry", "http", true)]
    [InlineData("edge", "silo", "gateway", true)]
    [InlineData("edge", "redis", "redis", true)]
    [InlineData("edge", "redis", "sentinel", true)]
    [InlineData("silo", "redis", "sentinel", true)]
    [InlineData("redis", "redis", "redis", true)]
    [InlineData("redis", "redis", "sentinel", true)]
    [InlineData("registry", "redis", "sentinel", false)]
    [InlineData("other-pod", "redis", "sentinel", false)]
    [InlineData("redis", "silo", "silo", false)]
    [InlineData("silo", "silo", "silo", true)]
    [InlineData("silo", "redis", "redis", true)]
    [InlineData("outside", "registry", "http", false)]
    [InlineData("outside", "redis", "redis", false)]
    [InlineData("outside", "edge", "http", false)]
    [InlineData("outside", "edge", "metrics", false)]
    [InlineData("other-pod", "registry", "http", false)]
    [InlineData("other-pod", "redis", "redis", false)]
    [InlineData("other-namespace", "registry", "http", false)]
    [InlineData("other-namespace", "silo", "gateway", false)]
    [InlineData("monitoring", "registry", "http", false)]
    [InlineData("silo", "registry", "http", false)]
    [InlineData("registry", "redis", "redis", false)]
    [InlineData("redis", "registry", "http", false)]
    [InlineData("registry", "silo", "gateway", false)]
    public void NetworkPolicies_AllowExactlyTheTopologysConnections(string from, string to, string portName, bool allowed)
    {
        var model = Policies();
        var pods = Pods().ToDictionary(p => p.Name);
        var source = from switch
        {
            "outside" => NetworkPolicyModel.Endpoint.Outside,
            "monitoring" => new NetworkPolicyModel.Endpoint("prometheus", new Dictionary<string, string> { ["app"] = "prometheus" }, new Dictionary<string, int>(), "monitoring"),
            "other-pod" => new NetworkPolicyModel.Endpoint("other-pod", new Dictionary<string, string> { ["app"] = "debug" }, new Dictionary<string, int>(), "registry-gateway"),
            "other-namespace" => new NetworkPolicyModel.Endpoint("other-namespace", new Dictionary<string, string> { ["app.kubernetes.io/name"] = "registry-gateway", ["app.kubernetes.io/component"] = "edge" }, new Dictionary<string, int>(), "elsewhere"),
            _ => pods[from],
        };
        var target = pods[to];
        Assert.Equal(allowed, model.Allows(source, target, target.Ports[portName]));
    }

    [Fact]
    public void PrometheusOperatorObjects_CarryTheRulesFileUnchanged_AndScrapeTheMetricsPort()
    {
        var rule = Yaml.LoadMapping(Repository.Read($"{Folder}/monitoring/prometheusrule.yaml"));
        Assert.Equal("monitoring.coreos.com/v1", rule.Text("apiVersion"));
        Assert.Equal("PrometheusRule", rule.Text("kind"));
        var rules = Yaml.LoadMapping(Repository.Read("observability/prometheus/rules/gateway-alerts.yml"));
        Assert.Equal(Canonical(rules), Canonical(rule.Map("spec")));

        var monitor = Yaml.LoadMapping(Repository.Read($"{Folder}/monitoring/podmonitor.yaml"));
        Assert.Equal("PodMonitor", monitor.Text("kind"));
        var endpoint = Assert.Single(monitor.Map("spec").Items("podMetricsEndpoints"));
        Assert.Equal("metrics", endpoint.Text("port"));
        var selector = monitor.Map("spec").Map("selector").Map("matchLabels").Children.ToDictionary(c => c.Key.Text()!, c => c.Value.Text()!);
        Assert.True(Selects(selector, Deployment("edge").Spec.Template.Metadata.Labels) && Selects(selector, Deployment("silo").Spec.Template.Metadata.Labels));

        var kustomization = Yaml.LoadMapping(Repository.Read($"{Folder}/monitoring/kustomization.yaml"));
        Assert.Equal(new HashSet<string> { "prometheusrule.yaml", "podmonitor.yaml" }, kustomization.Items("resources").Select(r => r.Text()!).ToHashSet());
    }

    private static readonly NetworkPolicyModel.Endpoint KubeDns =
        new("kube-dns", new Dictionary<string, string> { ["k8s-app"] = "kube-dns" }, new Dictionary<string, int> { ["dns"] = 53 }, "kube-system");

    private static NetworkPolicyModel Policies() => new([.. All<V1NetworkPolicy>()], "registry-gateway");

    /// <summary>One endpoint per Deployment and StatefulSet: its pods' labels and named ports (of every container).</summary>
    private static IEnumerable<NetworkPolicyModel.Endpoint> Pods() =>
        All<V1Deployment>().Select(d => (d.Metadata, d.Spec.Template))
            .Concat(All<V1StatefulSet>().Select(s => (s.Metadata, s.Spec.Template)))
            .Select(w => new NetworkPolicyModel.Endpoint(
                w.Metadata.Name,
                w.Template.Metadata.Labels,
                w.Template.Spec.Containers.SelectMany(c => c.Ports).ToDictionary(p => p.Name, p => p.ContainerPort),
                w.Metadata.NamespaceProperty));

    private static YamlDotNet.RepresentationModel.YamlMappingNode RegistryConfig() =>
        Yaml.LoadMapping(Assert.Single(All<V1ConfigMap>(), c => c.Metadata.Name == "registry-config").Data["config.yml"]);

    private static string Canonical(YamlDotNet.RepresentationModel.YamlNode node)
    {
        var stream = new YamlDotNet.RepresentationModel.YamlStream(new YamlDotNet.RepresentationModel.YamlDocument(node));
        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);
        return writer.ToString();
    }

    private static TimeSpan ParseGoDuration(string value)
    {
        var match = System.Text.RegularExpressions.Regex.Match(value, @"^(\d+)(s|m|h)$");
        Assert.True(match.Success, $"not a duration: {value}");
        var number = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "h" => TimeSpan.FromHours(number), "m" => TimeSpan.FromMinutes(number), _ => TimeSpan.FromSeconds(number) };
    }

    private static V1Service ServiceSelecting(string deploymentName, string targetPort)
    {
        var labels = Deployment(deploymentName).Spec.Template.Metadata.Labels;
        return Assert.Single(
            All<V1Service>(),
            s => s.Spec.ClusterIP != "None" && Selects(s.Spec.Selector, labels) && s.Spec.Ports.Any(p => p.TargetPort.Value == targetPort));
    }

    private static bool Selects(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && labels is not null && selector.All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);

    private static List<(string File, object Object)> Load()
    {
        var result = new List<(string, object)>();
        foreach (var file in Directory.GetFiles(Repository.PathOf(Folder), "*.yaml").Order(StringComparer.Ordinal))
        {
            if (Path.GetFileName(file) == "kustomization.yaml")
            {
                continue; // not an API object
            }

            try
            {
                foreach (var obj in KubernetesYaml.LoadAllFromString(File.ReadAllText(file), strict: true))
                {
                    result.Add((Path.GetFileName(file), obj));
                }
            }
            catch (Exception e) when (e is YamlDotNet.Core.YamlException or InvalidOperationException or ArgumentException)
            {
                throw new Xunit.Sdk.XunitException($"{Path.GetFileName(file)} does not match the Kubernetes object schema: {e.Message} {e.InnerException?.Message}");
            }
        }

        return result;
    }
}
