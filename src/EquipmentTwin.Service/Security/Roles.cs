namespace EquipmentTwin.Service.Security;

/// <summary>The three roles: a viewer reads, an engineer also acts (alerts, maintenance, retraining), an admin also manages keys and users.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Engineer = "engineer";
    public const string Admin = "admin";

    /// <summary>The identity every request gets in loopback demo mode.</summary>
    public const string DemoUser = "demo-engineer";

    /// <summary>A role with the roles it implies (admin ⊃ engineer ⊃ viewer).</summary>
    public static IEnumerable<string> Expand(string role) => role switch
    {
        Admin => [Admin, Engineer, Viewer],
        Engineer => [Engineer, Viewer],
        Viewer => [Viewer],
        _ => [],
    };

    public static bool IsKnown(string role) => role is Viewer or Engineer or Admin;
}
