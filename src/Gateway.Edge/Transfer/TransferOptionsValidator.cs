using Microsoft.Extensions.Options;

namespace Gateway.Edge.Transfer;

/// <summary>Checks <see cref="TransferOptions"/>; run before the host is built, since Kestrel takes its pool at registration.</summary>
public sealed class TransferOptionsValidator : IValidateOptions<TransferOptions>
{
    /// <summary>Least block size: Kestrel's own.</summary>
    public const int MinBlockSize = 4 * 1024;

    /// <summary>Largest block size.</summary>
    public const int MaxBlockSize = 1024 * 1024;

    /// <summary>Largest <see cref="TransferOptions.MaxPooledBytes"/>.</summary>
    public const long MaxPooledBytesLimit = 1024L * 1024 * 1024;

    /// <summary>Least <see cref="TransferOptions.MinimumReadSize"/> other than 0.</summary>
    public const int MinMinimumReadSize = 4 * 1024;

    /// <summary>Largest <see cref="TransferOptions.MinimumReadSize"/>: YARP copies a body through 64 KiB buffers.</summary>
    public const int MaxMinimumReadSize = 64 * 1024;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, TransferOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string>? failures = null;
        if (options.BlockSize is < MinBlockSize or > MaxBlockSize)
        {
            (failures ??= []).Add($"{TransferOptions.SectionName}:BlockSize must be between {MinBlockSize} and {MaxBlockSize} bytes (was {options.BlockSize}).");
        }

        if (options.MaxPooledBytes is < 0 or > MaxPooledBytesLimit)
        {
            (failures ??= []).Add($"{TransferOptions.SectionName}:MaxPooledBytes must be between 0 and {MaxPooledBytesLimit} bytes (was {options.MaxPooledBytes}).");
        }

        if (options.MinimumReadSize != 0 && options.MinimumReadSize is < MinMinimumReadSize or > MaxMinimumReadSize)
        {
            (failures ??= []).Add($"{TransferOptions.SectionName}:MinimumReadSize must be 0 (off) or between {MinMinimumReadSize} and {MaxMinimumReadSize} bytes (was {options.MinimumReadSize}).");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
