namespace Gateway.Benchmarks.Harness;

/// <summary>Medians and ranges over rounds (NaN values are left out).</summary>
public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    public static (double Min, double Max) Range(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var list = values.Where(v => !double.IsNaN(v)).ToList();
        return list.Count == 0 ? (double.NaN, double.NaN) : (list.Min(), list.Max());
    }
}
