namespace EquipmentTwin.Core.Catalog;

/// <summary>A catalog file is missing or wrong; the message names the file and the field.</summary>
public sealed class CatalogException(string message, Exception? inner = null) : Exception(message, inner);
