namespace Gateway.Edge.Access.Identify;

/// <summary>Where an identity came from.</summary>
public enum IdentityKind
{
    /// <summary>A user name and password checked against a password source (htpasswd, a directory, a federated token).</summary>
    Password,

    /// <summary>A machine account's secret (decided by its own grain).</summary>
    MachineAccount,

    /// <summary>A Bearer token this gateway issued.</summary>
    IssuedToken,

    /// <summary>No credentials: the ACL's account <c>""</c>, limited per client address.</summary>
    Anonymous,
}
