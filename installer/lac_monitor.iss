; Inno Setup script: a per-machine installer IT can push silently:
;   LACMonitorSetup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /DATABASEURL="postgresql://lac_app@dbserver/lac_monitor"
; The database URL (no password) is written to the machine-wide config file that every user reads;
; passwords go in each user's Windows Credential Manager (`lac-monitor-cli db set-password`).
#define AppVersion GetEnv("LAC_MONITOR_VERSION")
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
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\dist\LAC Monitor\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\LAC Monitor"; Filename: "{app}\lac-monitor.exe"
Name: "{commondesktop}\LAC Monitor"; Filename: "{app}\lac-monitor.exe"

[INI]
Filename: "{commonappdata}\lac-monitor\lac-monitor.ini"; Section: "database"; Key: "url"; String: "{param:DATABASEURL}"; Check: HasDatabaseUrl

[Code]
function HasDatabaseUrl: Boolean;
begin
  Result := ExpandConstant('{param:DATABASEURL}') <> '';
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
