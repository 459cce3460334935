using Microsoft.Extensions.Options;

namespace Gateway.Host.Hosting;

/// <summary>Checks <see cref="NodeOptions"/>; run before the host is built, since the role decides what is built.</summary>
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ParsedRole is null
            ? ValidateOptionsResult.Fail($"{NodeOptions.SectionName}:Role must be 'all', 'edge' or 'silo' (was '{options.Role}').")
            : ValidateOptionsResult.Success;
    }
}
