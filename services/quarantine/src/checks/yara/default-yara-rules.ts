/**
 * Keep's default YARA rules, as source (tsc copies .ts, not .yar). Each rule looks
 * for a payload that has no business inside model weights.
 *
 * Written for 4+ GiB of high-entropy tensor bytes scanned in windows:
 * - every literal is at least 8 bytes, or a shorter one is checked against the
 *   header structure around it, so random data fires far below once per file
 *   (a 4-byte literal alone would fire about once per 4 GiB);
 * - no rule uses `filesize` or fixed offsets, which would refer to the window
 *   (SecAI's rules required `filesize < 500 MiB` and so never ran on a real model);
 * - strings that must occur together are joined in one pattern with a bounded gap
 *   (at most 4 KiB), so they lie well inside the 1 MiB window overlap.
 *
 * Pickle is refused by format elsewhere; the pickle rules catch a payload
 * embedded in another container, not every way to write one (memo tricks evade them).
 */
export const DEFAULT_YARA_RULES: string = String.raw`
// Pickle protocol 0-3 GLOBAL opcode ('c' module '\n' name '\n') importing a
// code-execution primitive: what a malicious __reduce__ compiles to.
rule Keep_Pickle_Global_Exec : pickle
{
  strings:
    $os_system       = "cos\nsystem\n"
    $os_popen        = "cos\npopen\n"
    $os_exec         = "cos\nexec"
    $os_spawn        = "cos\nspawn"
    $posix_system    = "cposix\nsystem\n"
    $posix_exec      = "cposix\nexec"
    $nt_system       = "cnt\nsystem\n"
    $subprocess      = "csubprocess\n"
    $builtin_eval    = "c__builtin__\neval\n"
    $builtin_exec    = "c__builtin__\nexec\n"
    $builtin_import  = "c__builtin__\n__import__\n"
    $builtins_eval   = "cbuiltins\neval\n"
    $builtins_exec   = "cbuiltins\nexec\n"
    $builtins_import = "cbuiltins\n__import__\n"
    $builtins_comp   = "cbuiltins\ncompile\n"
    $runpy           = "crunpy\n_run_code"
    $pip             = "cpip\nmain\n"
    $pkgutil         = "cpkgutil\nresolve_name\n"
    $importlib       = "cimportlib\nimport_module\n"
    $marshal         = "cmarshal\nloads\n"
    $pty             = "cpty\nspawn\n"
  condition:
    any of them
}

// Pickle protocol 4+ STACK_GLOBAL: module and name pushed as SHORT_BINUNICODE
// (0x8C, length byte), optionally memoized (0x94), e.g. "os" then "system".
rule Keep_Pickle_Stack_Global_Exec : pickle
{
  strings:
    $os_system     = { 8C 02 6F 73 [0-1] 8C 06 73 79 73 74 65 6D }
    $posix_system  = { 8C 05 70 6F 73 69 78 [0-1] 8C 06 73 79 73 74 65 6D }
    $nt_system     = { 8C 02 6E 74 [0-1] 8C 06 73 79 73 74 65 6D }
    $subprocess    = { 8C 0A 73 75 62 70 72 6F 63 65 73 73 }
    $builtins_exec = { 8C 08 62 75 69 6C 74 69 6E 73 [0-1] 8C 04 (65 78 65 63 | 65 76 61 6C) }
    $runpy         = { 8C 05 72 75 6E 70 79 [0-1] 8C 09 5F 72 75 6E 5F 63 6F 64 65 }
  condition:
    any of them
}

// ELF header: magic, class 1|2, data 1|2, version 1, then e_type REL/EXEC/DYN at
// +16 and e_version 1 at +20 in the declared byte order.
rule Keep_Embedded_ELF : executable
{
  strings:
    $elf = { 7F 45 4C 46 (01 | 02) (01 | 02) 01 }
  condition:
    for any i in (1..#elf) : (
      (uint8(@elf[i] + 5) == 1 and uint32(@elf[i] + 20) == 1 and uint16(@elf[i] + 16) >= 1 and uint16(@elf[i] + 16) <= 3) or
      (uint8(@elf[i] + 5) == 2 and uint32be(@elf[i] + 20) == 1 and uint16be(@elf[i] + 16) >= 1 and uint16be(@elf[i] + 16) <= 3)
    )
}

// PE: "PE\0\0" with a common machine (i386, AMD64, ARM64, ARMNT), 1-96 sections
// (the loader's limit) and a PE32 or PE32+ optional-header magic at +24. Not a
// bare "MZ", which random bytes contain every 64 KiB.
rule Keep_Embedded_PE : executable
{
  strings:
    $pe = { 50 45 00 00 (4C 01 | 64 86 | 64 AA | C4 01) }
  condition:
    for any i in (1..#pe) : (
      (uint16(@pe[i] + 24) == 0x010B or uint16(@pe[i] + 24) == 0x020B) and
      uint16(@pe[i] + 6) >= 1 and uint16(@pe[i] + 6) <= 96
    )
}

// A shell script that downloads: a shebang followed within 4 KiB by curl or wget.
rule Keep_Shell_Dropper : shell
{
  strings:
    $script = /#!\s?\/(usr\/)?bin\/(env\s+)?(ba|da|z|k)?sh\b.{0,4096}\b(curl|wget)\s/s
  condition:
    $script
}

// A download piped straight into a shell ("curl ... | sh"), or fetched, made
// executable and run: the one-liner form that needs no shebang.
rule Keep_Download_And_Execute : shell
{
  strings:
    $pipe  = /\b(curl|wget)\s[^\n|;&]{1,512}\|\s{0,4}(sudo\s+)?(ba|da|z|k)?sh\b/
    $chmod = /\b(curl|wget)\s[^\n]{1,512}(&&|;)\s{0,4}chmod\s+(\+x|[0-7]{3,4})\s/
  condition:
    any of them
}

// Bash network redirection, the classic reverse shell: /dev/tcp/host/port.
rule Keep_Bash_Dev_Tcp : shell reverse_shell
{
  strings:
    $dev_tcp = /\/dev\/(tcp|udp)\/[A-Za-z0-9.\-]{1,253}\/[0-9]{1,5}/
  condition:
    $dev_tcp
}

// Python reverse shell: a socket plus fd duplication, a pty or a subprocess within
// 2 KiB, in either order (imports usually name subprocess first).
rule Keep_Python_Reverse_Shell : python reverse_shell
{
  strings:
    $socket_first = /socket\.socket\(.{0,2048}(os\.dup2\(|pty\.spawn\(|subprocess\.(call|run|Popen|check_call|check_output)\()/s
    $socket_last  = /(os\.dup2\(|pty\.spawn\(|subprocess\.(call|run|Popen|check_call|check_output)\().{0,2048}socket\.socket\(/s
  condition:
    any of them
}

// PowerShell with an encoded command: -e, -ec, -enc ... -EncodedCommand (any
// prefix is accepted) followed by a base64 blob; ExecutionPolicy's short argument
// cannot satisfy the 32-character blob.
rule Keep_PowerShell_Encoded_Command : powershell
{
  strings:
    $encoded = /(powershell|pwsh)(\.exe)?["']?\s[^\n]{0,256}-e[a-z]{0,13}\s+["']?[a-z0-9+\/]{32,}/ nocase
    $cradle  = /(iex|invoke-expression)\s*\(?\s*\(?\s*new-object\s+(system\.)?net\.webclient\s*\)?\s*\.\s*download(string|file)\s*\(/ nocase
  condition:
    any of them
}

// A PEM private key: a staged credential or an exfiltration drop (SecAI OS ships this one).
rule Keep_Embedded_Private_Key : secret
{
  strings:
    $pem = /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/
  condition:
    $pem
}
`;
