namespace Gateway.Edge.Caching;

/// <summary>
/// What travels between nodes when a content address is deleted: the address, and who wants to hear once each node has
/// dropped it (<see cref="Origin"/>, <see cref="Sequence"/>), so the <c>DELETE</c> is answered only after no node can
/// still serve the old answer.
/// </summary>
/// <param name="Address">The deleted manifest or blob in its repository.</param>
/// <param name="Origin">The publishing node's id; empty when no confirmation is asked for.</param>
/// <param name="Sequence">The publisher's number for this invalidation, echoed in each confirmation.</param>
public readonly record struct InvalidationMessage(ContentAddress Address, string Origin, long Sequence)
{
    /// <summary>Whether the publisher waits for confirmations.</summary>
    public bool WantsConfirmation => Origin.Length > 0;

    /// <summary>Five lines: the address's three (<see cref="ContentAddress.ToWire"/>), the origin, the sequence.</summary>
    public string ToWire() => WantsConfirmation ? $"{Address.ToWire()}\n{Origin}\n{Sequence}" : Address.ToWire();

    /// <summary>
    /// Reads <see cref="ToWire"/>; the address alone (three lines, what nodes of the previous release publish) is read as
    /// an invalidation without confirmation. False for anything else.
    /// </summary>
    public static bool TryParse(string? text, out InvalidationMessage message)
    {
        message = default;
        if (text is null)
        {
            return false;
        }

        var lines = text.Split('\n');
        if (lines.Length == 3)
        {
            if (!ContentAddress.TryParseWire(text, out var plain))
            {
                return false;
            }

            message = new InvalidationMessage(plain, string.Empty, 0);
            return true;
        }

        if (lines.Length != 5
            || !ContentAddress.TryParseWire(string.Join('\n', lines, 0, 3), out var address)
            || !NodeIds.IsValid(lines[3])
            || !long.TryParse(lines[4], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        message = new InvalidationMessage(address, lines[3], sequence);
        return true;
    }
}
