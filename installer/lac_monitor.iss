; Inno Setup script: a per-machine installer IT pushes silently (Intune, SCCM), e.g.
;   LACMonitorSetup-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="C:\Windows\Temp\lac-monitor-setup.log"
;       /DATABASEURL="postgresql://dbserver.council.local/lac_monitor" /SIGNIN=directory
; and on the one or two machines that run the escalation service, also:
;       /SERVICE=yes [/SERVICEACCOUNT="COUNCIL\svc-lacmon$"]   (default NT AUTHORITY\NETWORK SERVICE)
; Parameters:
;   /DATABASEURL  written to the machine-wide config C:\ProgramData\lac-monitor\lac-monitor.ini that
;                 every user reads. A URL with a password in it is REFUSED (setup exits with code 1):
;                 passwords live only in Windows Credential Manager (`lac-monitor-cli db set-password`).
;   /SIGNIN       directory (each person connects as their own directory login, SSPI/Kerberos) or password.
;   /SERVICE=yes  registers the escalation service as the scheduled task "LAC Monitor\Escalation service"
;                 (lac-monitor-service.xml: at boot, restarted within 5 minutes if it dies).
; Uninstall removes the program and the task, never the database or the config.
; Built by build_windows.ps1 from the bundle that `python installer\build.py bundle --smoke` made and tested.
#define AppVersion GetEnv("LAC_MONITOR_VERSION")
#define TaskName "LAC Monitor\Escalation service"
[Setup]
AppId={{6C1A7E52-5B0B-4C1F-9E57-1AC0FEED0001}
AppName=LAC Monitor
AppVersion={#AppVersion}
AppPublisher=LAC Monitor
DefaultDirName={autopf}\LAC Monitor
DefaultGroupName=LAC Monitor
PrivilegesRequired=admin
OutputBaseFilename=LACMonitorSetup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
CloseApplications=yes
SetupLogging=yes

[Files]
Source: "..\dist\LAC Monitor\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion
Source: "lac-monitor-service.xml"; DestDir: "{app}"; Flags: ignoreversion; AfterInstall: WriteServiceTask

[Icons]
Name: "{group}\LAC Monitor"; Filename: "{app}\lac-monitor.exe"
Name: "{commondesktop}\LAC Monitor"; Filename: "{app}\lac-monitor.exe"

[INI]
; No uninsdelete flags: uninstalling keeps the council's configuration.
Filename: "{commonappdata}\lac-monitor\lac-monitor.ini"; Section: "database"; Key: "url"; String: "{param:DATABASEURL}"; Check: HasParam('DATABASEURL')
Filename: "{commonappdata}\lac-monitor\lac-monitor.ini"; Section: "database"; Key: "sign_in"; String: "{param:SIGNIN}"; Check: HasParam('SIGNIN')

[Run]
Filename: "{sys}\schtasks.exe"; Parameters: "/Create /F /TN ""{#TaskName}"" /XML ""{app}\lac-monitor-service.task.xml"""; Flags: runhidden waituntilterminated; StatusMsg: "Registering the escalation service..."; Check: WantService
Filename: "{sys}\schtasks.exe"; Parameters: "/Run /TN ""{#TaskName}"""; Flags: runhidden waituntilterminated; Check: WantService

[UninstallRun]
Filename: "{sys}\schtasks.exe"; Parameters: "/End /TN ""{#TaskName}"""; Flags: runhidden waituntilterminated; RunOnceId: "EndService"
Filename: "{sys}\schtasks.exe"; Parameters: "/Delete /F /TN ""{#TaskName}"""; Flags: runhidden waituntilterminated; RunOnceId: "DeleteService"

[UninstallDelete]
Type: files; Name: "{app}\lac-monitor-service.task.xml"

[Code]
function HasParam(Name: String): Boolean;
begin
  Result := ExpandConstant('{param:' + Name + '}') <> '';
end;

function WantService: Boolean;
begin
  Result := CompareText(ExpandConstant('{param:SERVICE|no}'), 'yes') = 0;
end;

{ True when the URL's user part carries a password (scheme://user:secret@host) or a password= option. }
function UrlHasPassword(Url: String): Boolean;
var
  Rest: String;
  P: Integer;
begin
  Result := Pos('password=', Lowercase(Url)) > 0;
  P := Pos('://', Url);
  if Result or (P = 0) then Exit;
  Rest := Copy(Url, P + 3, Length(Url));
  P := Pos('@', Rest);
  if P = 0 then Exit;
  Result := Pos(':', Copy(Rest, 1, P - 1)) > 0;
end;

function Refuse(Msg: String): Boolean;
begin
  Log('Refused: ' + Msg);
  SuppressibleMsgBox(Msg, mbCriticalError, MB_OK, IDOK);
  Result := False;
end;

function InitializeSetup: Boolean;
var
  SignIn: String;
begin
  Result := True;
  if UrlHasPassword(ExpandConstant('{param:DATABASEURL}')) then begin
    Result := Refuse('/DATABASEURL contains a password. Remove it: a password lives only in Windows ' +
                     'Credential Manager (lac-monitor-cli db set-password), or use /SIGNIN=directory.');
    Exit;
  end;
  SignIn := Lowercase(ExpandConstant('{param:SIGNIN}'));
  if (SignIn <> '') and (SignIn <> 'directory') and (SignIn <> 'password') then
    Result := Refuse('/SIGNIN must be directory or password, not "' + SignIn + '".');
end;

{ Stop a running service before its files are replaced (an upgrade). }
function PrepareToInstall(var NeedsRestart: Boolean): String;
var
  Code: Integer;
begin
  Exec(ExpandConstant('{sys}\schtasks.exe'), '/End /TN "{#TaskName}"', '', SW_HIDE, ewWaitUntilTerminated, Code);
  Result := '';
end;

{ The task definition with this machine's install folder and the service account filled in. }
procedure WriteServiceTask;
var
  Lines: TArrayOfString;
  I: Integer;
  Account, UserId, LogonType: String;
begin
  Account := ExpandConstant('{param:SERVICEACCOUNT|NT AUTHORITY\NETWORK SERVICE}');
  if CompareText(Account, 'NT AUTHORITY\NETWORK SERVICE') = 0 then begin
    UserId := 'S-1-5-20';
    LogonType := 'ServiceAccount';
  end else begin
    UserId := Account;  { a group managed service account, DOMAIN\name$: no password stored }
    LogonType := 'Password';
  end;
  if not LoadStringsFromFile(ExpandConstant('{app}\lac-monitor-service.xml'), Lines) then Exit;
  for I := 0 to GetArrayLength(Lines) - 1 do begin
    StringChangeEx(Lines[I], '@APP@', ExpandConstant('{app}'), True);
    StringChangeEx(Lines[I], '@USERID@', UserId, True);
    StringChangeEx(Lines[I], '@LOGONTYPE@', LogonType, True);
  end;
  SaveStringsToUTF8File(ExpandConstant('{app}\lac-monitor-service.task.xml'), Lines, False);
end;

// The same rule as the app (storage/config.py checked_url): a password never goes in the ini.
function UrlHasPassword(Url: String): Boolean;
var
  P, At: Integer;
  Rest: String;
begin
  Result := False;
  P := Pos('://', Url);
  if P = 0 then Exit;
  Rest := Copy(Url, P + 3, Length(Url));
  At := Pos('@', Rest);
  if At = 0 then Exit;
  Result := Pos(':', Copy(Rest, 1, At - 1)) > 0;
end;

function InitializeSetup: Boolean;
begin
  Result := True;
  if UrlHasPassword(ExpandConstant('{param:DATABASEURL}')) then
  begin
    SuppressibleMsgBox('DATABASEURL contains a password, which would be written to lac-monitor.ini and ' +
      'show in process lists. Remove it from the URL and store it on each PC with ' +
      '"lac-monitor db set-password", so that it lives only in the keyring.', mbCriticalError, MB_OK, IDOK);
    Result := False;
  end;
end;
