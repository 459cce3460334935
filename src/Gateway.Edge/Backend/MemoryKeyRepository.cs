using System.Collections.Concurrent;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Gateway.Edge.Backend;

/// <summary>
/// ASP.NET data protection's key ring, held in memory only: YARP turns data protection on (for session-affinity
/// cookies, which the registry's route does not use), and its default repository writes keys in clear to
/// <c>~/.aspnet/DataProtection-Keys</c>, which a read-only container cannot write. Nothing the gateway protects has to
/// outlive the process.
/// </summary>
internal sealed class MemoryKeyRepository : IXmlRepository
{
    private readonly ConcurrentQueue<XElement> _elements = new();

    public IReadOnlyCollection<XElement> GetAllElements() => [.. _elements.Select(e => new XElement(e))];

    public void StoreElement(XElement element, string friendlyName) => _elements.Enqueue(new XElement(element));
}
