import XCTest
@testable import Redaction

/// Fixes from session 11, taken from the misses probe round 10 found and left open (REDACTION.md
/// §13): password flags whose letter means "password" only for some commands, labels with a
/// qualifier, passcodes and access codes, "the password of X is Y" in other languages, and URL
/// passwords holding a raw `@`. Each positive case failed before its fix.
final class Session11Tests: XCTestCase, DetectionAssertions {
    let engine = RedactionEngine()

    func testPasswordFlagsOfParticularCommands() {
        assertFinds("Str0ngPassw0rd!", as: .secret, in: "sqlcmd -S db01 -U sa -P Str0ngPassw0rd! -Q \"select 1\"")
        assertFinds("Str0ng!Pass", as: .secret, in: "Run `sqlcmd -S tcp:db01,1433 -U sa -P 'Str0ng!Pass' -d app` then check.")
        assertFinds("Str0ngPassw0rd!", as: .secret, in: "bcp dbo.t out t.dat -S db01 -U sa -P Str0ngPassw0rd! -c")
        assertFinds("Adm1nSecret99", as: .secret, in: "ldapsearch -x -H ldap://ldap.corp -D \"cn=admin,dc=corp\" -w Adm1nSecret99 -b dc=corp")
        assertFinds("L0ngS3cret!x", as: .secret, in: "ldapmodify -x -D cn=admin,dc=example,dc=org -w 'L0ngS3cret!x' -f change.ldif")
        assertFinds("Zipp3dSecret", as: .secret, in: "zip -P Zipp3dSecret archive.zip report.pdf")
        assertFinds("0penSesame99", as: .secret, in: "unzip -P 0penSesame99 secrets.zip")
        assertFinds("S3venZipPass", as: .secret, in: "7z a -pS3venZipPass -mhe=on backup.7z data/")
        assertFinds("Hunter2Archive", as: .secret, in: #""C:\Program Files\7-Zip\7z.exe" x backup.7z -pHunter2Archive -oC:\out"#)
        assertFinds("Smb4Pass99", as: .secret, in: "smbclient //fs01/share -U corp/jdoe%Smb4Pass99")
        assertFinds("HtPass2024x", as: .secret, in: "htpasswd -b -c /etc/nginx/.htpasswd admin HtPass2024x")
        assertFinds("Rabb1tPassw0rd", as: .secret, in: "rabbitmqctl add_user deploy Rabb1tPassw0rd")
        assertFinds("N3wGuestPass", as: .secret, in: "rabbitmqctl change_password guest N3wGuestPass")
        assertFinds("Pr0xyPass99", as: .secret, in: "curl --proxy-user proxyuser:Pr0xyPass99 https://example.com")
        assertFinds("Pr0xyPass99", as: .secret, in: "curl -U proxyuser:Pr0xyPass99 -x proxy:3128 https://example.com")
        assertFinds("W1ndowsPass!", as: .secret, in: #"net use Z: \\fs01\share /user:CORP\jdoe W1ndowsPass!"#)
        // The same letters in other commands, and variables, stay.
        assertClean("grep -P '\\d+' file.txt; mkdir -p /var/log/app; zip -r out.zip dir; wc -w file; ls -U")
        assertClean("mysql -h db -P 3306 -u root -p; ssh -p 2222 host; tar -czf a.tgz -P /etc; curl -b cookies.txt http://x")
        assertClean("zip -P $ZIP_PASSWORD out.zip a; ldapsearch -x -D cn=admin -w ${LDAP_PW} -b dc=x")
        assertClean("rabbitmqctl add_user admin")
    }

    func testQualifiedLabelsPasscodesAndAccessCodes() {
        assertFinds("Xk9#mQ2vL", as: .secret, in: "Password (temp): Xk9#mQ2vL")
        assertFinds("739201", as: .secret, in: "passcode: 739201")
        assertFinds("739201", as: .secret, in: #"{"passcode": "739201"}"#)
        assertFinds("ZX81-QQ72", as: .secret, in: "Access code: ZX81-QQ72")
        assertFinds("ZX81-QQ72", as: .secret, in: "access_code=ZX81-QQ72")
        assertClean("Password (optional): leave blank")
        assertClean("passcode: required; Access code: see below; zip_code: 94103; country_code: DE")
    }

    func testPasswordOfSomethingIsInOtherLanguages() {
        assertFinds("Gr8Sommer!", as: .secret, in: "Passwort für den Server ist Gr8Sommer!")
        assertFinds("Sonne2024!", as: .secret, in: "Das Passwort lautet: Sonne2024!")
        assertFinds("Estate2024!", as: .secret, in: "la password è Estate2024!")
        assertFinds("Estate2024!", as: .secret, in: "la password di accesso è Estate2024!")
        assertFinds("Verano2024!", as: .secret, in: "la contraseña de la cuenta es Verano2024!")
        assertFinds("Praia2024!", as: .secret, in: "a senha do usuário é Praia2024!")
        assertFinds("Zomer2024!", as: .secret, in: "het wachtwoord van de gebruiker is Zomer2024!")
        // Ordinary words of those languages after the same phrasing stay (and "für" is no value).
        assertClean("das Passwort für den Server ist abgelaufen")
        assertClean("le mot de passe de votre compte est expiré")
        assertClean("la password di accesso è scaduta")
        assertClean("a senha do usuário é obrigatória")
        assertClean("het wachtwoord van de gebruiker is verlopen")
        assertClean("la contraseña de tu cuenta es incorrecta")
    }

    func testURLPasswordsHoldingARawAtSign() {
        assertFinds("p@ss@w0rd", as: .secret, in: "postgres://app:p@ss@w0rd@db.internal:5432/app")
        assertFinds("S3cr@t!", as: .secret, in: "mongodb://admin:S3cr@t!@mongo1:27017,mongo2:27017/?replicaSet=rs0")
        assertFinds("R3d1s@Pass", as: .secret, in: "redis://:R3d1s@Pass@cache:6379/0 and mail ops@acme.io")
        // The query string's address is still an address of its own.
        assertFinds("a@b.com", as: .email, in: "https://user:pw1234@host.com/path?email=a@b.com")
        assertFinds("ops@acme.io", as: .email, in: "redis://:R3d1s@Pass@cache:6379/0 and mail ops@acme.io")
    }
}
