using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace EquipmentTwin.Core.WireFormat;

/// <summary>
/// One string per signal name: a fleet repeats a few hundred names in every batch, so the decoder looks the UTF-8
/// bytes up instead of allocating a new string for each record. Bounded: past <see cref="Capacity"/> distinct
/// names (say, a sender that invents names) new ones are allocated as usual and not kept.
/// </summary>
internal static class SignalNames
{
    public const int Capacity = 16_384;
    private const int MaxPooledLength = 128;

    private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> ByChars = Pool.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The current string token's value (the reader is on a String token).</summary>
    public static string Get(ref Utf8JsonReader reader)
    {
        if (reader.HasValueSequence || reader.ValueIsEscaped || reader.ValueSpan.Length > MaxPooledLength)
        {
            return reader.GetString()!;
        }

        var utf8 = reader.ValueSpan;
        Span<char> chars = stackalloc char[MaxPooledLength * 2];
        if (!Encoding.UTF8.TryGetChars(utf8, chars, out var n))
        {
            return reader.GetString()!;
        }

        var span = chars[..n];
        if (ByChars.TryGetValue(span, out var known))
        {
            return known;
        }

        var name = reader.GetString()!;
        if (Pool.Count < Capacity)
        {
            name = Pool.GetOrAdd(name, name);
        }

        return name;
    }
}
