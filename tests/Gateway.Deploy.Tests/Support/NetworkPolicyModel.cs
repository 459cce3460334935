using k8s.Models;

namespace Gateway.Deploy.Tests.Support;

/// <summary>
/// What a set of NetworkPolicies allows, decided as the API documents it (no API server or CNI here): a pod selected
/// by no policy of a type is open for that type; a selected pod accepts a connection when any selecting policy has a
/// rule whose peers and ports match. Enough of the model for these manifests: matchLabels selectors, namespace
/// selectors by name label, "anywhere" peers, and ports by number or by the pod's port name.
/// </summary>
public sealed class NetworkPolicyModel(IReadOnlyList<V1NetworkPolicy> policies, string namespaceName)
{
    /// <summary>A pod (its labels, its named ports, its namespace) or an address outside the cluster (Labels null).</summary>
    public sealed record Endpoint(string Name, IDictionary<string, string>? Labels, IReadOnlyDictionary<string, int> Ports, string? Namespace)
    {
        public static Endpoint Outside { get; } = new("outside", null, new Dictionary<string, int>(), null);

        public override string ToString() => Name;
    }

    /// <summary>Whether <paramref name="from"/> may open a TCP connection to <paramref name="to"/> on <paramref name="port"/>.</summary>
    public bool Allows(Endpoint from, Endpoint to, int port) =>
        (from.Labels is null || from.Namespace != namespaceName || Egress(from, to, port)) && (to.Namespace != namespaceName || Ingress(from, to, port));

    /// <summary>Whether some policy selects the pod for both ingress and egress.</summary>
    public bool Isolates(Endpoint pod, string type) => Selecting(pod, type).Any();

    private bool Ingress(Endpoint from, Endpoint to, int port)
    {
        var selecting = Selecting(to, "Ingress").ToList();
        return selecting.Count == 0 || selecting.Any(p => (p.Spec.Ingress ?? []).Any(rule => PortMatches(rule.Ports, to, port) && PeersMatch(rule.FromProperty, from)));
    }

    private bool Egress(Endpoint from, Endpoint to, int port)
    {
        var selecting = Selecting(from, "Egress").ToList();
        return selecting.Count == 0 || selecting.Any(p => (p.Spec.Egress ?? []).Any(rule => PortMatches(rule.Ports, to, port) && PeersMatch(rule.To, to)));
    }

    private IEnumerable<V1NetworkPolicy> Selecting(Endpoint pod, string type) =>
        pod.Labels is null || pod.Namespace != namespaceName
            ? []
            : policies.Where(p => Types(p).Contains(type) && Matches(p.Spec.PodSelector, pod.Labels));

    private static IEnumerable<string> Types(V1NetworkPolicy policy) =>
        policy.Spec.PolicyTypes is { Count: > 0 } types ? types : policy.Spec.Egress is null ? ["Ingress"] : ["Ingress", "Egress"];

    private static bool PortMatches(IList<V1NetworkPolicyPort>? ports, Endpoint to, int port) =>
        ports is not { Count: > 0 } || ports.Any(p => (p.Protocol ?? "TCP") == "TCP" && (p.Port is null || Resolve(p.Port, to) == port));

    private static int? Resolve(IntOrString port, Endpoint to) =>
        int.TryParse(port.Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? number
            : to.Ports.TryGetValue(port.Value, out var named) ? named : null;

    private bool PeersMatch(IList<V1NetworkPolicyPeer>? peers, Endpoint other) =>
        peers is not { Count: > 0 } || peers.Any(peer => PeerMatches(peer, other));

    private bool PeerMatches(V1NetworkPolicyPeer peer, Endpoint other)
    {
        if (peer.IpBlock is not null)
        {
            return other.Labels is null && peer.IpBlock.Cidr is "0.0.0.0/0" or "::/0";
        }

        if (other.Labels is null)
        {
            return false; // pod and namespace selectors name pods, never addresses outside the cluster
        }

        var namespaceMatches = peer.NamespaceSelector is null
            ? other.Namespace == namespaceName
            : Matches(peer.NamespaceSelector, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = other.Namespace ?? "" });
        return namespaceMatches && (peer.PodSelector is null || Matches(peer.PodSelector, other.Labels));
    }

    private static bool Matches(V1LabelSelector selector, IDictionary<string, string> labels)
    {
        if (selector.MatchExpressions is { Count: > 0 })
        {
            throw new NotSupportedException("matchExpressions: extend the model before using them");
        }

        return (selector.MatchLabels ?? new Dictionary<string, string>()).All(s => labels.TryGetValue(s.Key, out var v) && v == s.Value);
    }
}
