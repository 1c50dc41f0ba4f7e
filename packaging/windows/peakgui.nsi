; PeakGUI per-user installer for Windows (NSIS 3, no administrator rights needed).
;
; Installs the PyInstaller one-folder bundle (dist\peakgui: peakgui.exe, peakgui-batch.exe,
; _internal\) into %LOCALAPPDATA%\Programs\PeakGUI, adds a Start-menu shortcut and an
; uninstaller registered under HKCU (Settings > Apps), and optionally (a section the user can
; untick) lets PeakGUI open .h5 files, per user in HKCU\Software\Classes.
;
; Build (see packaging\README.md):
;   makensis /DVERSION=0.1.0 /DPAYLOAD=..\..\dist\peakgui /DICON=..\..\build\peakgui.ico ^
;            /DOUTFILE=..\..\dist\PeakGUI-0.1.0-setup.exe packaging\windows\peakgui.nsi
; Relative paths are relative to this script's folder. The test suite compiles this script
; with makensis on Linux against a dummy payload (tests/packaging/test_nsis.py).

Unicode true

!ifndef VERSION
  !error "Pass the version: makensis /DVERSION=x.y.z ..."
!endif
!ifndef PAYLOAD
  !error "Pass the bundle folder: makensis /DPAYLOAD=path\to\dist\peakgui ..."
!endif
!ifndef VERSION4
  !define VERSION4 "${VERSION}.0"  ; VIProductVersion wants four numbers
!endif
!ifndef OUTFILE
  !define OUTFILE "PeakGUI-${VERSION}-setup.exe"
!endif

!define APPNAME "PeakGUI"
!define PROGID "PeakGUI.h5"
!define REGKEY "Software\PeakGUI\Installer"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\PeakGUI"
!define SHCNE_ASSOCCHANGED 0x08000000

!include "MUI2.nsh"
!include "FileFunc.nsh"

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\PeakGUI"
InstallDirRegKey HKCU "${REGKEY}" "InstallDir"
SetCompressor /SOLID lzma
ManifestDPIAware true
ShowInstDetails show
ShowUninstDetails show

VIProductVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "PeakGUI"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "PeakGUI installer"
VIAddVersionKey /LANG=1033 "CompanyName" "PeakGUI developers"
VIAddVersionKey /LANG=1033 "LegalCopyright" "MIT licence"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_COMPONENTSPAGE_SMALLDESC
!define MUI_FINISHPAGE_RUN "$INSTDIR\peakgui.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start PeakGUI"

!insertmacro MUI_PAGE_WELCOME
!ifdef LICENSE
  !insertmacro MUI_PAGE_LICENSE "${LICENSE}"
!endif
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  SetShellVarContext current
FunctionEnd

Function un.onInit
  SetShellVarContext current
FunctionEnd

Section "PeakGUI (required)" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; an upgrade must not mix the old version's libraries with the new ones
  RMDir /r "$INSTDIR\_internal"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\PeakGUI.lnk" "$INSTDIR\peakgui.exe" "" "$INSTDIR\peakgui.exe" 0 \
      SW_SHOWNORMAL "" "Find the spectral peak at every pixel of a USID HDF5 map"

  WriteRegStr HKCU "${REGKEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "PeakGUI"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "PeakGUI developers"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\peakgui.exe,0"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" "$0"
SectionEnd

Section "Open .h5 files with PeakGUI" SecAssoc
  ; a per-user ProgID, offered in "Open with" for .h5 files
  WriteRegStr HKCU "Software\Classes\${PROGID}" "" "HDF5 data file"
  WriteRegStr HKCU "Software\Classes\${PROGID}\DefaultIcon" "" "$INSTDIR\peakgui.exe,0"
  WriteRegStr HKCU "Software\Classes\${PROGID}\shell\open\command" "" '"$INSTDIR\peakgui.exe" "%1"'
  WriteRegStr HKCU "Software\Classes\.h5\OpenWithProgids" "${PROGID}" ""
  ; and the default only where the user has no default program for .h5 yet
  ReadRegStr $0 HKCU "Software\Classes\.h5" ""
  StrCmp $0 "" 0 assoc_done
    WriteRegStr HKCU "Software\Classes\.h5" "" "${PROGID}"
    WriteRegStr HKCU "${REGKEY}" "OwnsH5Default" "1"
  assoc_done:
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'
SectionEnd

Section /o "Desktop shortcut" SecDesktop
  CreateShortcut "$DESKTOP\PeakGUI.lnk" "$INSTDIR\peakgui.exe"
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecMain} "PeakGUI and peakgui-batch, for this user only."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecAssoc} "Offer PeakGUI in $\"Open with$\" for .h5 files (and make it the default if there is none)."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "A PeakGUI shortcut on the desktop."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Section "Uninstall"
  Delete "$SMPROGRAMS\PeakGUI.lnk"
  Delete "$DESKTOP\PeakGUI.lnk"

  ; the .h5 association, only what we added
  DeleteRegValue HKCU "Software\Classes\.h5\OpenWithProgids" "${PROGID}"
  ReadRegStr $0 HKCU "${REGKEY}" "OwnsH5Default"
  ReadRegStr $1 HKCU "Software\Classes\.h5" ""
  StrCmp $0 "1" 0 unassoc_default_done
  StrCmp $1 "${PROGID}" 0 unassoc_default_done
    DeleteRegValue HKCU "Software\Classes\.h5" ""
  unassoc_default_done:
  DeleteRegKey HKCU "Software\Classes\${PROGID}"
  DeleteRegKey /ifempty HKCU "Software\Classes\.h5\OpenWithProgids"
  DeleteRegKey /ifempty HKCU "Software\Classes\.h5"
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'

  ; the files we installed (never RMDir /r the install folder itself: the user may have
  ; picked a folder that holds other things)
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\peakgui.exe"
  Delete "$INSTDIR\peakgui-batch.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  ; the kernel cache earlier versions wrote (numba); settings and the demo file stay
  RMDir /r "$LOCALAPPDATA\PeakGUI\numba"
  RMDir "$LOCALAPPDATA\PeakGUI"

  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "${REGKEY}"
  DeleteRegKey /ifempty HKCU "Software\PeakGUI"
SectionEnd
