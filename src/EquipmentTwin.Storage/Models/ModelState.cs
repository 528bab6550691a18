namespace EquipmentTwin.Storage.Models;

/// <summary>Where a model version stands: a candidate waits for validation, the champion is in use, a retired one was replaced or refused.</summary>
public enum ModelState
{
    Candidate,
    Champion,
    Retired,
}

/// <summary>Wire names of <see cref="ModelState"/> (lower case, as the API and the CLI print them).</summary>
public static class ModelStateNames
{
    public static string ToWire(this ModelState state) => state switch
    {
        ModelState.Candidate => "candidate",
        ModelState.Champion => "champion",
        _ => "retired",
    };

    public static bool TryParse(string? text, out ModelState state)
    {
        switch (text?.ToLowerInvariant())
        {
            case "candidate":
                state = ModelState.Candidate;
                return true;
            case "champion":
                state = ModelState.Champion;
                return true;
            case "retired":
                state = ModelState.Retired;
                return true;
            default:
                state = default;
                return false;
        }
    }
}
