using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;

namespace EquipmentTwin.Analytics.Engines;

/// <summary>What an engine knows of a device when it starts: identity, modality and its catalog.</summary>
public sealed record DeviceContext(string DeviceId, string Site, Modality Modality, ModalityCatalog Catalog);
