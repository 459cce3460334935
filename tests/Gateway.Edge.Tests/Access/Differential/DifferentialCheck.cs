using Gateway.Edge.Tests.Support;
using Gateway.Registry.Access;

namespace Gateway.Edge.Tests.Access.Differential;

/// <summary>
/// Compares what the gate authorized with what the registry reads from the bytes the gate forwarded. The property:
/// every forwarded request follows an <c>allowed</c> decision, Go reads exactly one request from its bytes, and when
/// the registry acts on it (reaches its access check) it asks for exactly the scopes the gate authorized, on the
/// same route. A request the registry does not act on (no route: 404; its router's redirect: 301) is harmless.
/// </summary>
public static class DifferentialCheck
{
    /// <summary>The differences between the gate's decision and the registry's reading of the forwarded bytes.</summary>
    public static IEnumerable<string> Compare(AuditEvent? decision, OracleResult oracle)
    {
        if (oracle.Router.Count == 0 && oracle.Statuses.Count == 1 && oracle.Statuses[0] == 301)
        {
            yield break; // the router's redirect (a trailing slash added or removed): the registry did nothing with it
        }

        if (oracle.Router.Count != 1)
        {
            yield return oracle.Router.Count == 0
                ? $"the registry read no request from the forwarded bytes (answered {string.Join(',', oracle.Statuses)})"
                : $"the registry read {oracle.Router.Count} requests from one forwarded request (smuggling)";
            yield break;
        }

        if (oracle.Access.Count == 0)
        {
            yield break; // no route (404): the registry did nothing with it
        }

        if (decision is null)
        {
            yield break; // reported by Unpaired
        }

        var registry = oracle.Access[0];
        var registryAccess = registry.Access.ToHashSet(StringComparer.Ordinal);
        var gateAccess = Expand(decision);
        if (!registryAccess.SetEquals(gateAccess))
        {
            var beyond = registryAccess.Except(gateAccess).ToList();
            yield return beyond.Count > 0
                ? $"the registry acts with access the gate never authorized: {string.Join(' ', beyond)} (gate: {string.Join(' ', gateAccess)})"
                : $"the gate authorized {string.Join(' ', gateAccess)} where the registry asks for {string.Join(' ', registryAccess)}";
        }

        var route = oracle.Router[0].Route;
        if (decision.Route.Length > 0 && decision.Route != "-" && route.Length > 0 && decision.Route != route)
        {
            yield return $"route differs: gate {decision.Route}, registry {route}";
        }

        if (decision.Method != registry.Method)
        {
            yield return $"method differs: gate {decision.Method}, registry {registry.Method}";
        }
    }

    /// <summary>The gate's authorized scopes as <c>type:name:action</c> strings (the registry's access records).</summary>
    public static HashSet<string> Expand(AuditEvent decision)
    {
        var text = decision.Requested;
        if (string.IsNullOrEmpty(text) || text == "-")
        {
            // Audit events before the 'requested' field: the actions, or the whole scope list for a mount.
            text = decision.Actions.Contains(':', StringComparison.Ordinal) || decision.Actions.Length == 0
                ? decision.Actions
                : decision.Repository == "-" ? (decision.Actions == "*" ? "registry:catalog:*" : string.Empty) : $"repository:{decision.Repository}:{decision.Actions}";
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        if (!AccessScope.TryParseList(text, 8, out var scopes))
        {
            set.Add("unparseable:" + text);
            return set;
        }

        foreach (var scope in scopes)
        {
            foreach (var action in scope.Actions)
            {
                set.Add($"{scope.Resource.Type}:{scope.Resource.Name}:{action}");
            }
        }

        return set;
    }
}
