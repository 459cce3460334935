namespace Gateway.Registry.Errors;

/// <summary>
/// One error of the registry's JSON error envelope: <c>{"errors":[{"code":…,"message":…,"detail":…}]}</c>.
/// </summary>
/// <param name="Code">The error code.</param>
/// <param name="Message">The message; the code's default when null.</param>
/// <param name="StatusCode">The HTTP status; the code's own when null.</param>
public sealed record RegistryError(RegistryErrorCode Code, string? Message = null, int? StatusCode = null)
{
    /// <summary>The HTTP status this error is served with.</summary>
    public int Status => StatusCode ?? Code.StatusCode;

    /// <summary>The message served in the body.</summary>
    public string Text => Message ?? Code.DefaultMessage;

    /// <summary>
    /// The body's <c>detail</c>: the access records a refusal is about (as registry 2.8 lists them), or null. A non-null
    /// detail (or a message other than the code's default) makes docker and containers/image report the message and
    /// stop; a bare default error is reduced to its code and, by docker, retried.
    /// </summary>
    public IReadOnlyList<RegistryAccessRecord>? Detail { get; init; }
}
