namespace Gateway.Registry.Acl;

/// <summary>The request fields an ACL pattern can match and a placeholder can name.</summary>
internal enum AclField
{
    /// <summary>The account (user name); empty for an anonymous client.</summary>
    Account,

    /// <summary>The resource type without its class: <c>repository</c> or <c>registry</c>.</summary>
    Type,

    /// <summary>The resource name: a repository name, or <c>catalog</c>.</summary>
    Name,

    /// <summary>The service the token is for.</summary>
    Service,
}
