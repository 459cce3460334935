namespace Gateway.Edge.Access.Identify.Ldap;

/// <summary>How connections are protected: StartTLS on <c>ldap://</c>, and the folder libldap reads the trusted CAs from.</summary>
/// <param name="StartTls">Upgrade <c>ldap://</c> connections before anything else is sent.</param>
/// <param name="TrustDirectory">A private folder holding only the <c>CaFile</c>'s certificates; null without a <c>CaFile</c>.</param>
public sealed record LdapTls(bool StartTls, string? TrustDirectory);
