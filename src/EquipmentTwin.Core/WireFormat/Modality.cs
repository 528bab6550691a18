namespace EquipmentTwin.Core.WireFormat;

/// <summary>Imaging modality of a device, as named on the wire (<c>mri</c>, <c>ct</c>, <c>xray</c>).</summary>
public enum Modality
{
    Mri,
    Ct,
    Xray,
}

public static class ModalityNames
{
    public static string ToWire(this Modality modality) => modality switch
    {
        Modality.Mri => "mri",
        Modality.Ct => "ct",
        Modality.Xray => "xray",
        _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, null),
    };

    public static bool TryParse(string? text, out Modality modality)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "mri": modality = Modality.Mri; return true;
            case "ct": modality = Modality.Ct; return true;
            case "xray": modality = Modality.Xray; return true;
            default: modality = default; return false;
        }
    }
}
