namespace Gateway.Edge.Authentication;

/// <summary>How authenticating one request ended.</summary>
public enum AuthenticationStatus
{
    /// <summary>The credential is valid.</summary>
    Authenticated,

    /// <summary>Unknown user or wrong password; the two are indistinguishable by design.</summary>
    InvalidCredentials,

    /// <summary>The cluster could not decide (a silo gone, a timeout): answer 503, never let it through.</summary>
    Unavailable,
}
