namespace EquipmentTwin.Edge.Sources;

/// <summary>How far a file source has read: the file (path and identity: device and inode) and the byte offset after the last line taken.</summary>
public sealed record SourcePosition(string Key, string Path, string Identity, long Offset);
