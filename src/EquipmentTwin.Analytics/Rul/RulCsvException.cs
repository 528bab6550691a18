namespace EquipmentTwin.Analytics.Rul;

/// <summary>A run-to-failure CSV the user must correct: names the file, the line and the column (1-based).</summary>
public sealed class RulCsvException(string file, int line, int column, string columnName, string reason)
    : Exception($"{file}: line {line}{(column > 0 ? $", column {column}" : "")}{(columnName.Length > 0 ? $" ({columnName})" : "")}: {reason}")
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public int Column { get; } = column;
    public string ColumnName { get; } = columnName;
    public string Reason { get; } = reason;
}
