namespace Gateway.Edge.Admin;

/// <summary>The body of <c>POST {prefix}/machine-accounts/{name}</c>.</summary>
public sealed class MachineAccountRequest
{
    /// <summary>The longest lifetime, in days (ten years).</summary>
    public const int MaxDays = 3650;

    /// <summary>The most the account may be granted, e.g. <c>["repository:ci/*:pull,push"]</c>. Required.</summary>
    public List<string>? Scopes { get; set; }

    /// <summary>How many days the account works. Default: 365; at most <see cref="MaxDays"/>.</summary>
    public int ExpiresInDays { get; set; } = 365;

    /// <summary>A note for operators (who uses it, a ticket), at most 256 characters.</summary>
    public string? Description { get; set; }
}
