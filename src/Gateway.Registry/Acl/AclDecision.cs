namespace Gateway.Registry.Acl;

/// <summary>What the ACL grants for one resource.</summary>
/// <param name="Granted">The requested actions that are granted, in request order without duplicates; empty = denied.</param>
/// <param name="Rule">
/// The rule that decided (the first that matched); null when none matched (denied by default) or when no ACL is
/// configured (<see cref="AclEvaluator.AllowAll"/>).
/// </param>
public sealed record AclDecision(IReadOnlyList<string> Granted, AclRule? Rule)
{
    /// <summary>True when nothing was granted.</summary>
    public bool IsDenied => Granted.Count == 0;
}
