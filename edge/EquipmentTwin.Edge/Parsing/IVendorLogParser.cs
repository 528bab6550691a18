namespace EquipmentTwin.Edge.Parsing;

/// <summary>Turns one line of a vendor's technical log into a wire-format record (docs/edge.md, "Vendor formats").</summary>
public interface IVendorLogParser
{
    /// <summary>The format name used in configuration: <c>pipe</c>, <c>bracket</c> or <c>csv</c>.</summary>
    string Format { get; }

    /// <summary>Parses a line without its line ending. Never throws on bad input: returns a rejection with a reason.</summary>
    LineParse Parse(ReadOnlySpan<char> line);
}
