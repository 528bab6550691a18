namespace EquipmentTwin.Core.CommandLine;

/// <summary>
/// Tab-completion scripts for <c>twin</c> and <c>twin-edge</c>. Each asks the program itself through System.CommandLine's
/// <c>[suggest:POSITION]</c> directive, so commands, options and option values complete from the same definitions
/// that parse them, with nothing else to install (no dotnet-suggest).
/// </summary>
public static class ShellCompletion
{
    public static readonly string[] Shells = ["bash", "zsh", "pwsh"];

    /// <summary>The script for <paramref name="shell"/> (one of <see cref="Shells"/>) completing <paramref name="program"/>.</summary>
    public static string Script(string shell, string program)
    {
        var function = "_" + program.Replace('-', '_') + "_complete";
        return shell switch
        {
            "bash" => $$"""
                # {{program}} tab completion for bash. Load with: source <({{program}} completion bash)
                {{function}}() {
                    local IFS=$'\n'
                    COMPREPLY=($({{program}} "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null))
                }
                complete -o default -F {{function}} {{program}}

                """,
            "zsh" => $$"""
                # {{program}} tab completion for zsh. Load with: source <({{program}} completion zsh)
                {{function}}() {
                    local -a candidates
                    candidates=("${(@f)$({{program}} "[suggest:${CURSOR}]" "${BUFFER}" 2>/dev/null)}")
                    compadd -- "${candidates[@]}"
                }
                compdef {{function}} {{program}}

                """,
            "pwsh" => $$"""
                # {{program}} tab completion for PowerShell. Load with: {{program}} completion pwsh | Out-String | Invoke-Expression
                Register-ArgumentCompleter -Native -CommandName {{program}} -ScriptBlock {
                    param($wordToComplete, $commandAst, $cursorPosition)
                    & {{program}} "[suggest:$cursorPosition]" "$commandAst" 2>$null | ForEach-Object {
                        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                    }
                }

                """,
            _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, $"one of {string.Join(", ", Shells)}"),
        };
    }
}
