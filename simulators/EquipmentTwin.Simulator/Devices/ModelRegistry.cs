using EquipmentTwin.Core.Catalog;
using EquipmentTwin.Core.WireFormat;
using EquipmentTwin.Simulator.Fleets;

namespace EquipmentTwin.Simulator.Devices;

/// <summary>The device model of each modality: what parameters a fault may move and which states it may test.</summary>
internal static class ModelRegistry
{
    public static IReadOnlyList<string> Parameters(Modality modality) => modality switch
    {
        Modality.Mri => MriModel.ParameterNames,
        Modality.Ct => CtModel.ParameterNames,
        _ => XrayModel.ParameterNames,
    };

    /// <summary>States a failure threshold or threshold event may name: every catalog signal of the modality plus the model's derived states.</summary>
    public static bool HasState(Modality modality, string name, ModalityCatalog? catalog)
    {
        var extra = modality switch
        {
            Modality.Mri => MriModel.ExtraStateNames,
            Modality.Ct => CtModel.ExtraStateNames,
            _ => XrayModel.ExtraStateNames,
        };
        return extra.Contains(name) || catalog?.FindSignal(name) is not null;
    }

    public static DeviceModel Create(DeviceSpec spec, ModalityCatalog catalog, ModelContext context) => spec.Modality switch
    {
        Modality.Mri => new MriModel(spec, catalog, context),
        Modality.Ct => new CtModel(spec, catalog, context),
        _ => new XrayModel(spec, catalog, context),
    };
}
